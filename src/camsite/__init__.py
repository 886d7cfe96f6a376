"""camsite: where should new surveillance cameras go, and how good is the suggestion?

The pipeline is a chain of pure functions, one module per concern::

    config -> network -> demand, candidates -> coverage -> optimize -> report -> cli

See README.md for the two commands that install and run it.
"""

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
