#!/usr/bin/env python
"""check_clips.py DIR: decode every clip of DIR/truth.json, compare size / fps / length with the
truth, and look for a face (MediaPipe Face Mesh) in 5 frames of each clip."""
import json, os, sys
import av, cv2, numpy as np
import mediapipe as mp

D = sys.argv[1]
T = json.load(open(os.path.join(D, 'truth.json')))
fm = mp.solutions.face_mesh.FaceMesh(static_image_mode=True, max_num_faces=2)
bad = 0
for e in T:
    c = av.open(os.path.join(D, e['file']))
    s = c.streams.video[0]
    frames = [f.to_ndarray(format='bgr24') for f in c.decode(s)]
    codec = s.codec_context.name
    c.close()
    n = len(frames)
    want = round(e['duration_s'] * e['fps'])
    h, w = frames[0].shape[:2]
    faces = []
    for k in np.linspace(0, n - 1, 5).astype(int):
        r = fm.process(cv2.cvtColor(frames[k], cv2.COLOR_BGR2RGB))
        faces.append(len(r.multi_face_landmarks or []))
    ok = (w, h) == (e['width'], e['height']) and abs(n - want) <= 1 and min(faces) >= 1
    bad += not ok
    print('%s %-6s %4dx%-4d %5d/%5d frames  faces %s %s' % (e['id'], codec, w, h, n, want, faces, 'OK' if ok else 'BAD'))
print('problems:', bad)
