#!/usr/bin/env python
"""Same entry point as the `opencertif` console script."""

from opencertif.__main__ import main

if __name__ == "__main__":
    main()
