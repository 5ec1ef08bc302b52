"""The shop API's request and response models. Money is an integer of minor units."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from services.shop.catalog import MAX_PRICE

Price = Annotated[int, Field(ge=0, le=MAX_PRICE, description="minor units (pence, cents)")]
Text200 = Annotated[str, Field(min_length=1, max_length=200)]
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")]
AttrValue = Annotated[str, Field(max_length=200)] | int | bool
Attrs = Annotated[
    dict[Annotated[str, Field(min_length=1, max_length=64)], AttrValue], Field(max_length=30)
]
Category = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=120)]], Field(min_length=1, max_length=6)
]


class ShopVariantIn(BaseModel):
    sku: Code
    price: Price
    attributes: Attrs = {}


class ShopProductIn(BaseModel):
    code: Code
    title: Text200
    description: Annotated[str, Field(max_length=5000)] = ""
    category: Category
    attributes: Attrs = {}
    variants: Annotated[list[ShopVariantIn], Field(min_length=1, max_length=50)]


class ShopProductPatch(BaseModel):
    title: Text200 | None = None
    description: Annotated[str, Field(max_length=5000)] | None = None
    category: Category | None = None
    attributes: Attrs | None = None
    active: bool | None = None


class ShopPriceIn(BaseModel):
    price: Price


class ShopReceiptIn(BaseModel):
    warehouse_id: Code
    qty: int = Field(ge=1, le=10**9)


class ShopWarehouseIn(BaseModel):
    id: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_\-]+$")]
    country: Text200
    priority: int = Field(default=0, ge=0, le=1000)


class ShopCartLineIn(BaseModel):
    qty: int = Field(ge=0, le=1_000_000, description="0 removes the line")


class ShopMergeIn(BaseModel):
    guest_token: Annotated[str, Field(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]


class ShopCheckoutIn(BaseModel):
    country: Text200 = "United Kingdom"
    payment_method: str = Field(default="pm_card_visa", max_length=64, pattern=r"^pm_[A-Za-z_]+$")
    expected_total: Price | None = Field(
        default=None, description="the total the client showed; 409 if the catalogue differs"
    )


class ShopTransitionIn(BaseModel):
    action: Literal[
        "pack", "ship", "deliver", "cancel", "request_return", "reject_return", "receive_return"
    ]
    note: Annotated[str, Field(max_length=500)] = ""


class ShopTrackingIn(BaseModel):
    note: Annotated[str, Field(min_length=1, max_length=500)]


class ShopRefundIn(BaseModel):
    amount: int = Field(ge=1, le=MAX_PRICE)


class ShopReviewIn(BaseModel):
    rating: int = Field(ge=1, le=5)
    body: Annotated[str, Field(max_length=5000)] = ""


class ShopReportIn(BaseModel):
    reason: Annotated[str, Field(min_length=1, max_length=300)]


class ShopModerationIn(BaseModel):
    action: Literal["hide", "restore"]


class ShopTicketIn(BaseModel):
    subject: Text200
    body: Annotated[str, Field(min_length=1, max_length=5000)]


class ShopTicketMessageIn(BaseModel):
    body: Annotated[str, Field(min_length=1, max_length=5000)]


class Variant(BaseModel):
    id: int
    sku: str
    price: int
    currency: str
    attributes: dict[str, Any]
    available: int | None


class ProductSummary(BaseModel):
    id: int
    code: str
    seller_id: str
    title: str
    category_id: int
    attributes: dict[str, Any]
    price: int = Field(description="the lowest variant price, minor units")
    currency: str
    rating: float
    rating_count: int


class ScoredProduct(ProductSummary):
    score: float


class AlsoBought(BaseModel):
    product_id: int
    model_version: str | None
    items: list[ScoredProduct]


class Product(ProductSummary):
    description: str
    variants: list[Variant]


class CategoryOut(BaseModel):
    id: int
    parent_id: int | None
    name: str
    path: str


class FacetValue(BaseModel):
    value: Any
    count: int


class Facets(BaseModel):
    category: list[FacetValue]
    seller: list[FacetValue]
    price: list[FacetValue]
    rating: list[FacetValue]
    attributes: dict[str, list[FacetValue]]


class SearchPage(BaseModel):
    items: list[ProductSummary]
    facets: Facets
    total: int
    next_cursor: str | None
    sort: str


class StockOut(BaseModel):
    received: int
    sold: int
    returned: int
    on_hand: int
    reserved: int
    available: int


class WarehouseOut(BaseModel):
    id: str
    country: str
    priority: int


class CartLine(BaseModel):
    variant_id: int
    product_id: int
    title: str
    qty: int
    unit_price: int
    currency: str


class Cart(BaseModel):
    lines: list[CartLine]
    total: int
    currency: str


class GuestCart(BaseModel):
    token: str


class OrderLine(BaseModel):
    product_id: int
    variant_id: int
    warehouse_id: str
    seller_id: str
    qty: int
    unit_price: int


class OrderEvent(BaseModel):
    status: str
    actor: str
    note: str
    ts: float


class Shipment(BaseModel):
    """One seller's part of an order, fulfilled and refunded by that seller."""

    seller_id: str
    status: str
    amount: int
    refunded: int


class Order(BaseModel):
    id: str
    customer: str
    status: str
    amount: int
    refunded: int
    currency: str
    payment_reference: str | None
    lines: list[OrderLine]
    events: list[OrderEvent]
    shipments: list[Shipment]


class Review(BaseModel):
    id: int
    product_id: int
    customer: str
    rating: int
    body: str
    status: str
    reports: int
    created_at: float
    updated_at: float


class Reviews(BaseModel):
    product_id: int
    rating: float
    rating_count: int
    reviews: list[Review]


class SellerRating(BaseModel):
    seller_id: str
    rating: float
    rating_count: int
    products: int


class TicketMessage(BaseModel):
    author: str
    role: str
    body: str
    ts: float


class Ticket(BaseModel):
    id: int
    order_id: str
    customer: str
    subject: str
    status: str
    created_at: float
    first_response_due: float
    resolution_due: float
    first_response_at: float | None
    closed_at: float | None
    sla_breached: bool
    messages: list[TicketMessage]
