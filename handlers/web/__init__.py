"""The supervisors' read-only web page (issue 13): aiohttp and Jinja2 templates."""
