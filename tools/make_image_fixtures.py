"""Image fixtures that javax.imageio cannot write (run with Debian's /usr/bin/python3 and python3-pil).

cmyk.jpg: a 16x12 CMYK JPEG (Adobe APP14, as Photoshop and PIL write them), for the image-reading and fuzz tests.
Pixel (x, y) is C = 16x, M = 20y, Y = xy mod 256, K = 30.
"""
import os
import sys

from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixtures  # noqa: E402


def main():
    im = Image.new("CMYK", (16, 12))
    px = im.load()
    for y in range(12):
        for x in range(16):
            px[x, y] = (x * 16, y * 20, (x * y) % 256, 30)
    im.save(fixtures.fixture_path("images", "cmyk.jpg"), quality=90)


if __name__ == "__main__":
    main()
