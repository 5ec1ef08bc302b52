"""``GET /search?q=``: BM25 over the crawled pages, with snippets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

from crawlers.downstream import index_dir
from services.crawl.store import holder_for
from services.deps import EmitterDep, OptionalUser, SettingsDep

router = APIRouter(prefix="/search", tags=["search"])


class SearchHit(BaseModel):
    url: str
    title: str
    score: float
    snippet: str


class SearchResponse(BaseModel):
    query: str
    total: int
    hits: list[SearchHit]


@router.get("", response_model=SearchResponse, operation_id="search_pages")
def search_pages(
    settings: SettingsDep,
    emitter: EmitterDep,
    user: OptionalUser,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Words to look for.")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> SearchResponse:
    """Rank crawled pages by BM25 (title weighted, stemmed); snippets mark the query words."""
    if not q.strip():
        raise HTTPException(422, "q must contain at least one word")
    index = holder_for(index_dir(settings)).get()
    if index is None:
        raise HTTPException(503, "no search index yet: materialise crawl_search_index first")
    hits = index.search(q, limit=limit)
    emitter.emit(
        "crawler",
        "search",
        actor=getattr(user, "user_id", None),
        attrs={"q": q[:200], "hits": len(hits)},
    )
    return SearchResponse(query=q, total=len(hits), hits=[SearchHit(**vars(h)) for h in hits])
