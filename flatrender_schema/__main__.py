from flatrender_schema.entry import main

main()
