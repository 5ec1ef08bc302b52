"""``GET /search?q=``: BM25 over the crawled pages, with snippets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from services.crawl.service import MAX_HITS, CrawlService
from services.deps import OptionalUser, system_service

router = APIRouter(prefix="/search", tags=["crawl"])
CrawlDep = Annotated[CrawlService, system_service("crawl")]


class SearchHit(BaseModel):
    url: str
    title: str
    score: float
    snippet: str


class SearchResponse(BaseModel):
    query: str
    total: int
    hits: list[SearchHit]


@router.get("", response_model=SearchResponse, operation_id="crawl_search")
def search_pages(
    svc: CrawlDep,
    user: OptionalUser,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Words to look for.")],
    limit: Annotated[int, Query(ge=1, le=MAX_HITS)] = 10,
) -> SearchResponse:
    """Rank crawled pages by BM25 (title weighted, stemmed); snippets mark the query words.

    503 until the ``crawl_search_index`` asset has written a first index.
    """
    hits = svc.search(q, limit, actor=getattr(user, "user_id", None))
    return SearchResponse(query=q, total=len(hits), hits=[SearchHit(**vars(h)) for h in hits])
