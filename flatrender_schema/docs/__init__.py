"""`schema docs`: the desired state as pages and pictures.

    db = source.document(desired, dev)           # the shadow built and read back, as plain values (model.py)
    files = files.doc_files(db)                  # Markdown + Mermaid (markdown.py, mermaid.py), DOT (dot.py),
                                                 # tbls JSON (tbls.py)
    files.write_docs(out, files, dot.find_dot()) / files.check_docs(out, files)

`plan_diagram` draws the tables a plan touches, for the plan's Markdown. Submodules are imported
where used: the plan renderer needs none of the database side.
"""
