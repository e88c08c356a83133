"""What the site is: configuration, content, index, pages, rendering. Never imports the engine."""
