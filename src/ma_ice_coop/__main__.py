import sys

from ma_ice_coop.cli import main

sys.exit(main())
