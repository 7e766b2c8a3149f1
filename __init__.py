"""journeylens: the repository root is the package (pyproject.toml maps it), so `journeylens.app`,
`journeylens.notebooks`, `journeylens/sql` and `journeylens.sample_data` are its folders."""
