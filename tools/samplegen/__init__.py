"""posecheck sample-clip generator: renders labelled clips of a posed human body.

Pipeline per clip (see manifest.py): pose script (poses.py) -> floor contact
(contact.py) -> skinned body (rig.py) coloured by appearance.py -> room and camera
(scene.py) -> frames encoded to H.264 (encode.py) + ground truth (truth.py).
Heavy dependencies (torch, anny, pyrender, av) live in requirements.txt / the
`render` extra; nothing here is imported by the posecheck package.
"""
