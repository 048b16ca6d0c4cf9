"""Check-in codes as QR codes: SVG drawn by segno (no image library needed), for the attendee's page."""

import io

import segno


def svg(text: str, title: str = "签到二维码") -> str:
    """An inline SVG of the QR code of `text` (medium error correction), scaled by its viewBox."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="svg", scale=6, border=2, title=title, svgclass="qr-code",
                                     xmldecl=False, svgns=True, nl=False)
    return buffer.getvalue().decode()
