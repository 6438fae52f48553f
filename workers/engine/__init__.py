"""The media engine: pure media code (FFmpeg argv, captions, audio, ASR, vision, assets, cache).

It never imports the job plumbing (``reelgraph.workers.jobs``), ``graph``, ``nodes`` or ``app``.
"""
