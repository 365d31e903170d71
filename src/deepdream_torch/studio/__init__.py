"""The studio: a local web page (FastAPI, static pages) that is a second front end to the library, beside cli/."""
