"""Demo photos: some demo products get a photo, drawn here with Pillow (no image is shipped or
downloaded): a flat lay of the produce, seen from above on linen, with soft light and shadows.
The others keep their category's illustration, so the demo shows both. Idempotent (a product
that has a photo is left as it is); the photos go through ``products.photos.add_photo`` like
an upload.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFilter
from sqlalchemy import select

from core.db import db
from demo.accounts import get_enterprise
from products import photos
from products.models import Product

WIDTH, HEIGHT = 1200, 900
#: the sizes below are for a 1600 px wide picture
SCALE = WIDTH / 1600


@dataclass(frozen=True)
class Produce:
    """How one kind of produce is drawn: colours, shape, size (px) and how many."""

    colours: tuple[tuple[int, int, int], ...]
    shape: str  # "round", "oval", "long", "jar", "loaf", "bottle"
    size: int
    count: int
    background: tuple[int, int, int] = (232, 224, 208)


#: (producer slug, product name) -> its photo; the other demo products have none
PHOTOS: dict[tuple[str, str], Produce] = {
    ("ferme-des-quatre-vents", "Tomates anciennes"): Produce(
        ((196, 38, 30), (150, 40, 40), (232, 128, 32), (120, 30, 40)), "round", 250, 8
    ),
    ("ferme-des-quatre-vents", "Tomates cerises"): Produce(
        ((214, 40, 32), (240, 186, 40), (200, 30, 28)), "round", 120, 26
    ),
    ("ferme-des-quatre-vents", "Carottes nouvelles"): Produce(
        ((234, 118, 28), (222, 100, 20)), "long", 640, 6, (226, 230, 214)
    ),
    ("ferme-des-quatre-vents", "Radis roses"): Produce(
        ((214, 52, 92), (200, 40, 80)), "round", 160, 14, (228, 234, 220)
    ),
    ("ferme-des-quatre-vents", "Oignons jaunes"): Produce(
        ((196, 136, 62), (176, 112, 48)), "round", 220, 9
    ),
    ("ferme-des-quatre-vents", "Potimarron"): Produce(
        ((222, 96, 24), (206, 84, 20)), "round", 420, 3, (220, 226, 210)
    ),
    ("les-poules-de-marie", "Œufs bio"): Produce(
        ((240, 226, 200), (222, 196, 160), (236, 214, 184)), "oval", 240, 10, (204, 214, 196)
    ),
    ("boulangerie-le-levain", "Pain de campagne au levain"): Produce(
        ((168, 104, 52), (150, 90, 44)), "loaf", 620, 2
    ),
    ("vergers-de-la-vilaine", "Pommes Gala"): Produce(
        ((200, 52, 40), (214, 96, 44), (180, 40, 36)), "round", 230, 9, (222, 230, 214)
    ),
    ("vergers-de-la-vilaine", "Poires Conférence"): Produce(
        ((150, 160, 60), (170, 150, 70)), "oval", 260, 6
    ),
    ("vergers-de-la-vilaine", "Cidre brut"): Produce(
        ((70, 110, 50), (60, 96, 44)), "bottle", 620, 3, (226, 222, 206)
    ),
    ("rucher-du-bocage", "Miel de fleurs"): Produce(
        ((224, 160, 32), (206, 140, 24)), "jar", 420, 4, (236, 226, 206)
    ),
    ("ferme-de-la-prevalaye", "Courge butternut"): Produce(
        ((226, 180, 110), (214, 168, 98)), "long", 700, 3
    ),
    ("ferme-de-la-prevalaye", "Fromage frais de chèvre"): Produce(
        ((246, 244, 236), (240, 238, 228)), "round", 300, 5, (190, 204, 186)
    ),
}


def _linen(rng: random.Random, colour: tuple[int, int, int]) -> Image.Image:
    """A warm cloth: the colour, a fine weave of noise, a soft vignette."""
    base = Image.new("RGB", (WIDTH, HEIGHT), colour)
    noise = Image.effect_noise((WIDTH // 2, HEIGHT // 2), 24).resize((WIDTH, HEIGHT))
    weave = Image.merge("RGB", (noise, noise, noise))
    base = ImageChops.overlay(base, weave.point(lambda p: 118 + p // 16))
    vignette = Image.radial_gradient("L").resize((WIDTH, HEIGHT)).point(lambda p: p // 3)
    dark = Image.new("RGB", (WIDTH, HEIGHT), tuple(int(c * 0.72) for c in colour))
    return Image.composite(dark, base, vignette)


def _shape_mask(shape: str, w: int, h: int, angle: float) -> Image.Image:
    side = int(max(w, h) * 1.3)
    mask = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(mask)
    left, top = (side - w) // 2, (side - h) // 2
    box = (left, top, left + w, top + h)
    if shape in ("jar", "bottle"):
        draw.rounded_rectangle(box, radius=w // 5, fill=255)
        if shape == "bottle":
            neck = (side // 2 - w // 7, top - h // 4, side // 2 + w // 7, top + 10)
            draw.rounded_rectangle(neck, radius=w // 10, fill=255)
    else:
        draw.ellipse(box, fill=255)
    return mask.rotate(angle, resample=Image.Resampling.BICUBIC)


def _item(shape: str, size: int, colour: tuple[int, int, int], angle: float) -> Image.Image:
    """One piece of produce on a transparent layer: shaded from the top left, with a gloss."""
    w, h = {
        "round": (size, int(size * 0.92)),
        "oval": (int(size * 0.78), size),
        "long": (int(size * 0.26), size),
        "jar": (int(size * 0.8), size),
        "loaf": (size, int(size * 0.62)),
        "bottle": (int(size * 0.34), size),
    }[shape]
    mask = _shape_mask(shape, w, h, angle)
    light = (
        Image.radial_gradient("L")
        .resize(mask.size)
        .transform(
            mask.size,
            Image.Transform.AFFINE,
            (1, 0, mask.size[0] * 0.12, 0, 1, mask.size[1] * 0.12),
        )
    )
    dark = tuple(int(c * 0.55) for c in colour)
    bright = tuple(min(255, int(c * 1.18) + 12) for c in colour)
    body = Image.composite(
        Image.new("RGB", mask.size, dark), Image.new("RGB", mask.size, bright), light
    )
    gloss = Image.new("L", mask.size, 0)
    gx, gy = mask.size[0] * 0.38, mask.size[1] * 0.34
    ImageDraw.Draw(gloss).ellipse((gx, gy, gx + w * 0.16, gy + h * 0.1), fill=120)
    gloss = gloss.filter(ImageFilter.GaussianBlur(max(2, w // 30)))
    body = Image.composite(Image.new("RGB", mask.size, (255, 255, 255)), body, gloss)
    layer = body.convert("RGBA")
    layer.putalpha(mask.filter(ImageFilter.GaussianBlur(1.2)))
    return layer


def draw(spec: Produce, seed: str) -> bytes:
    """The JPEG of a flat lay of ``spec`` (the same picture for the same seed)."""
    rng = random.Random(seed)
    size = int(spec.size * SCALE)
    image = _linen(rng, spec.background)
    shadows = Image.new("L", image.size, 0)
    placed: list[tuple[int, int]] = []
    items = []
    for index in range(spec.count):
        x = y = 0
        for _attempt in range(40):
            x = rng.randint(size // 2, WIDTH - size // 2)
            y = rng.randint(size // 2, HEIGHT - size // 2)
            if all((x - a) ** 2 + (y - b) ** 2 > (size * 0.8) ** 2 for a, b in placed):
                break
        placed.append((x, y))
        colour = spec.colours[index % len(spec.colours)]
        angle = rng.uniform(-35, 35) if spec.shape in ("long", "loaf", "oval") else 0
        items.append((x, y, _item(spec.shape, size, colour, angle)))
    for x, y, layer in items:
        alpha = layer.getchannel("A")
        shadows.paste(alpha, (x - layer.width // 2 + 18, y - layer.height // 2 + 26), alpha)
    shadows = shadows.filter(ImageFilter.GaussianBlur(16)).point(lambda p: int(p * 0.45))
    image = Image.composite(Image.new("RGB", image.size, (40, 32, 24)), image, shadows)
    for x, y, layer in items:
        image.paste(layer, (x - layer.width // 2, y - layer.height // 2), layer)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def seed() -> str:
    added = 0
    for (slug, name), spec in PHOTOS.items():
        producer = get_enterprise(slug)
        product = db.session.scalar(
            select(Product).where(Product.producer_id == producer.id, Product.name == name)
        )
        if product is None or product.photos:
            continue
        photos.add_photo(product, io.BytesIO(draw(spec, f"{slug}/{name}")), alt="")
        added += 1
    return f"photos: {len(PHOTOS)} demo products have a drawn photo ({added} added)"
