"""The extended ICE detainer releases (NPR FY2008-FY2017, Deportation Data Project 2023-2026), fetched by
`ma-ice fetch --extended`: streaming reader (read.py), placement, release windows and the extended tables."""
