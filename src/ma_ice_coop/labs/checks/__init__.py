"""One check module per lab (lab1.py ...): a function per exercise, decorated with checking.exercise, and
`examples()`, the right and deliberately wrong answers tests/test_labs.py runs every check on."""
