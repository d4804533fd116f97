"""The power and duty list (权责清单): items, versions, XLSX import, change counts, the public list."""
