"""The authenticator app's QR code as inline SVG markup.

django-mfa's own `{% qrcode %}` draws it as an `<img>` with a `data:` address, which the
site's Content Security Policy (`img-src 'self'`) refuses; inline SVG is part of the page
itself, so the policy stays as strict as it is.
"""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def qrcode_svg(value: str, label: str) -> SafeString:
    image = qrcode.make(value, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    markup = buffer.getvalue().decode()
    markup = markup[markup.index("<svg") :]  # without the XML declaration
    # The markup is qrcode's own drawing of the URI: paths and numbers, no text of the user's.
    accessible = format_html('<svg role="img" aria-label="{}" class="qrcode" ', label)
    return mark_safe(markup.replace("<svg ", accessible, 1))
