"""`folio publish`: ship the built `output/` to where the site is served.

`target` reads `[publish.NAME]` tables and command-line URLs into
`PublishTarget` values; `plan` lists the built files, compares them with what a
target holds and words the summary; `run` orchestrates; each kind of target
has its own module (`directory`, `rsync`, `gitbranch`, `s3`), imported only
when a target of that kind is published.
"""
