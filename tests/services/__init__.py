"""Service tests: import, holdings and due items on real databases."""
