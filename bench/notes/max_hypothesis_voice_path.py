"""bench.voice_path with AlignConfig.class_channel_max on (info only, run after the decision).

PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/max_hypothesis_voice_path.py
"""

import functools
import sys

import silkpipe.alignment as al

if __name__ == "__main__":
    al.AlignConfig = functools.partial(al.AlignConfig, class_channel_max=True)
    from bench.voice_path import main

    sys.exit(main([]))
