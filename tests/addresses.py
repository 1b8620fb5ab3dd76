"""Where the tests' public pages are: the reform program's pages live under its URL name.

The shipped fixture names the reform program `gyozaisei-2024`; a test's first program made by the
factories takes the same name (tests/factories.py), so `/gyozaisei-2024/…` is the program under test."""
REFORM = "gyozaisei-2024"
