import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# Commands the tests run (in process or as subprocesses) cache into a folder of this test session,
# never into the user's ~/.cache; tests of the cache itself pass their own --cache-dir.
os.environ["PGREADY_CACHE_DIR"] = tempfile.mkdtemp(prefix="pgready-test-cache-")

import atexit  # noqa: E402
import shutil  # noqa: E402

atexit.register(shutil.rmtree, os.environ["PGREADY_CACHE_DIR"], True)
