"""The passport service's per-process parts."""

from __future__ import annotations

from services.passport.passport_types import ContentCache
from shared.service import Runtime


def content_cache(runtime: Runtime) -> ContentCache:
    return runtime.component("content_cache", lambda r: ContentCache())
