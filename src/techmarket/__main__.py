from techmarket.cli import main

main()
