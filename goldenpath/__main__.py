"""``python -m goldenpath``: run the CLI, then leave without interpreter teardown.

Tearing down the jsii runtime (and the thousands of objects it proxies) costs seconds after
all output is written; nothing is left to flush once streams are flushed, so exit directly.
"""

import os
import sys

from goldenpath.cli import main

code = main()
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
