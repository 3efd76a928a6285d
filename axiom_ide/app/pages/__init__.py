"""Full-window pages: the execution detail page and the debug session page (#13 items 6, 7)."""
