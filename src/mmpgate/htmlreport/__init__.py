"""`mmpgate report`: one self-contained HTML page of a run, its charts drawn as inline SVG."""
