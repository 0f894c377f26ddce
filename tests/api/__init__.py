# The API suite imports its harness as a top-level module, whether unittest discovery starts
# here (python3 -m unittest discover -s tests/api) or at the repository root (-t .).
import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))
if _here not in sys.path:
    sys.path.insert(0, _here)
