from flatrender_schema.cli import main

main()
