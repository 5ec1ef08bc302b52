"""Shop routes under ``/shop``: catalogue and search, carts (guest carts merge on login),
checkout with ``Idempotency-Key``, orders and their lifecycle, per-seller shipments of an order,
reviews, support tickets.

Roles: customers (``customer`` or ``user``) buy, review and open tickets; sellers manage their
own products, stock and orders; admins do anything. Ids in paths are read here: anything that
is not an id the shop could have issued is simply not found (404).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query

from services.auth import Principal
from services.deps import AdminUser, CurrentUser, require_roles, system_service
from services.errors import NotFound
from services.shop import schemas as s
from services.shop.service import ShopService

router = APIRouter(prefix="/shop", tags=["shop"])
ShopDep = Annotated[ShopService, system_service("shop")]
CustomerUser = Annotated[Principal, require_roles("customer", "user")]
SellerUser = Annotated[Principal, require_roles("seller")]
IdemKey = Annotated[
    str | None, Header(alias="Idempotency-Key", max_length=255, pattern=r"^[\x21-\x7e]+$")
]
PathId = Annotated[str, "an id as issued"]
SellerId = Annotated[str, "a seller's user id"]
GUEST = re.compile(r"[A-Za-z0-9_\-]{16,64}")
ORDER = re.compile(r"o_[0-9a-f]{24}")


def _int(value: str, what: str) -> int:
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise NotFound(f"no {what} {value!r}")
    return int(value)


def _order(value: str) -> str:
    if not ORDER.fullmatch(value):
        raise NotFound(f"no order {value!r}")
    return value


def _guest(token: str) -> str:
    if not GUEST.fullmatch(token):
        raise NotFound("no such guest cart")
    return token


def _admin(user: Principal) -> bool:
    return "admin" in user.roles


# -- carts and checkout (first: a purchase's routes are matched before the rest) ---------------


@router.get("/cart", response_model=s.Cart, operation_id="shop_cart")
def cart(svc: ShopDep, user: CustomerUser) -> s.Cart:
    return s.Cart(**svc.cart(user.user_id))


@router.put("/cart/items/{variant_id}", response_model=s.Cart, operation_id="shop_cart_set")
def cart_set(
    variant_id: PathId, body: s.ShopCartLineIn, svc: ShopDep, user: CustomerUser
) -> s.Cart:
    """Set a line's quantity (0 removes it). Prices always come from the catalogue."""
    return s.Cart(**svc.set_cart_line(user.user_id, _int(variant_id, "variant"), body.qty))


@router.post("/cart/merge", response_model=s.Cart, operation_id="shop_cart_merge")
def cart_merge(body: s.ShopMergeIn, svc: ShopDep, user: CustomerUser) -> s.Cart:
    """On login: move a guest cart into the customer's (quantities add, up to the cap)."""
    return s.Cart(**svc.merge_guest_cart(user.user_id, body.guest_token))


@router.post(
    "/guest-carts", status_code=201, response_model=s.GuestCart, operation_id="shop_guest_cart_new"
)
def guest_cart_new(svc: ShopDep) -> s.GuestCart:
    """A cart for a shopper not logged in; its token is its only credential."""
    return s.GuestCart(token=svc.new_guest_cart())


@router.get("/guest-carts/{token}", response_model=s.Cart, operation_id="shop_guest_cart")
def guest_cart(token: str, svc: ShopDep) -> s.Cart:
    _guest(token)
    return s.Cart(**svc.guest_cart(token))


@router.put(
    "/guest-carts/{token}/items/{variant_id}",
    response_model=s.Cart,
    operation_id="shop_guest_cart_set",
)
def guest_cart_set(token: str, variant_id: PathId, body: s.ShopCartLineIn, svc: ShopDep) -> s.Cart:
    _guest(token)
    return s.Cart(**svc.set_guest_cart_line(token, _int(variant_id, "variant"), body.qty))


@router.post(
    "/checkout",
    status_code=201,
    response_model=s.Order,
    operation_id="shop_checkout",
)
def checkout(
    body: s.ShopCheckoutIn, svc: ShopDep, user: CustomerUser, key: IdemKey = None
) -> s.Order:
    """Reserve the cart, pay and place the order: 409 out of stock or prices changed, 402
    declined, 503 payment outcome unknown (retry with the same ``Idempotency-Key``)."""
    result, _ = svc.idempotent(
        user.user_id,
        key,
        "POST",
        "/shop/checkout",
        body.model_dump(),
        lambda: svc.checkout(
            user.user_id,
            country=body.country,
            payment_method=body.payment_method,
            expected_total=body.expected_total,
            key=key,
        ),
    )
    return s.Order(**result)


# -- catalogue ---------------------------------------------------------------------------------


@router.get("/categories", response_model=list[s.CategoryOut], operation_id="shop_categories")
def categories(svc: ShopDep, _user: CurrentUser) -> list[s.CategoryOut]:
    """The category tree, parents before children (``path`` holds the ids from the root)."""
    return [s.CategoryOut(**c) for c in svc.categories()]


@router.post(
    "/products", status_code=201, response_model=s.Product, operation_id="shop_add_product"
)
def add_product(body: s.ShopProductIn, svc: ShopDep, user: SellerUser) -> s.Product:
    """A product of the calling seller, with its variants (prices in minor units)."""
    out = svc.add_product(
        user.user_id,
        code=body.code,
        title=body.title,
        description=body.description,
        category=body.category,
        attributes=body.attributes,
        variants_in=[v.model_dump() for v in body.variants],
    )
    return s.Product(**out)


@router.get("/products/{product_id}", response_model=s.Product, operation_id="shop_product")
def product(product_id: PathId, svc: ShopDep, _user: CurrentUser) -> s.Product:
    return s.Product(**svc.product(_int(product_id, "product")))


@router.get(
    "/products/{product_id}/also-bought",
    response_model=s.AlsoBought,
    operation_id="shop_also_bought",
)
def also_bought(
    product_id: PathId,
    svc: ShopDep,
    _user: CurrentUser,
    k: Annotated[int, Query(ge=1, le=50)] = 10,
) -> s.AlsoBought:
    """ "Customers also bought": the promoted model (hot-reloaded when a new version is
    promoted); 503 until one is."""
    return s.AlsoBought(**svc.also_bought(_int(product_id, "product"), k))


@router.patch(
    "/products/{product_id}", response_model=s.Product, operation_id="shop_update_product"
)
def update_product(
    product_id: PathId, body: s.ShopProductPatch, svc: ShopDep, user: SellerUser
) -> s.Product:
    """Change a product: its seller only (403 for another seller's)."""
    out = svc.update_product(
        _int(product_id, "product"), user.user_id, _admin(user), body.model_dump()
    )
    return s.Product(**out)


@router.put("/variants/{variant_id}/price", response_model=s.Product, operation_id="shop_set_price")
def set_price(variant_id: PathId, body: s.ShopPriceIn, svc: ShopDep, user: SellerUser) -> s.Product:
    return s.Product(
        **svc.set_price(_int(variant_id, "variant"), body.price, user.user_id, _admin(user))
    )


@router.post(
    "/variants/{variant_id}/receipts", response_model=s.StockOut, operation_id="shop_receive"
)
def receive(
    variant_id: PathId, body: s.ShopReceiptIn, svc: ShopDep, user: SellerUser
) -> s.StockOut:
    """Goods into a warehouse: a receipt in the variant's ledger."""
    out = svc.receive_stock(
        _int(variant_id, "variant"), body.warehouse_id, body.qty, user.user_id, _admin(user)
    )
    return s.StockOut(**out)


@router.get("/variants/{variant_id}/stock", response_model=s.StockOut, operation_id="shop_stock")
def stock(variant_id: PathId, svc: ShopDep, user: SellerUser) -> s.StockOut:
    """The variant's ledger totals over every warehouse (its seller, or an admin)."""
    vid = _int(variant_id, "variant")
    product_id = svc.product_of_variant(vid)
    if not _admin(user):
        svc.is_seller_of(user.user_id, product_id)
    return s.StockOut(**svc.stock_of(vid))


@router.post(
    "/admin/warehouses",
    status_code=201,
    response_model=s.WarehouseOut,
    operation_id="shop_add_warehouse",
)
def add_warehouse(body: s.ShopWarehouseIn, svc: ShopDep, _admin_user: AdminUser) -> s.WarehouseOut:
    return s.WarehouseOut(**svc.add_warehouse(body.id, body.country, body.priority))


@router.get("/search", response_model=s.SearchPage, operation_id="shop_search")
def search(
    svc: ShopDep,
    _user: CurrentUser,
    q: Annotated[str | None, Query(max_length=200)] = None,
    category: Annotated[int | None, Query(ge=1, le=10**12)] = None,
    min_price: Annotated[int | None, Query(ge=0, le=10**12)] = None,
    max_price: Annotated[int | None, Query(ge=0, le=10**12)] = None,
    seller: Annotated[str | None, Query(max_length=64)] = None,
    min_rating: Annotated[float | None, Query(ge=0, le=5)] = None,
    attr: Annotated[
        list[str] | None,
        Query(
            max_length=10,
            description="name:value, repeatable (values are matched as text, "
            "or as an integer / boolean when they read as one)",
        ),
    ] = None,
    sort: Literal["relevance", "price_asc", "price_desc", "rating", "newest"] = "relevance",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> s.SearchPage:
    """Full text over title, description and attributes, with filters, facet counts,
    sorting and cursor pagination."""
    page = svc.find(
        q=q,
        category=category,
        min_price=min_price,
        max_price=max_price,
        seller=seller,
        min_rating=min_rating,
        attrs=attr or [],
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    return s.SearchPage(**page)


# -- orders ------------------------------------------------------------------------------------


@router.get("/orders", response_model=list[s.Order], operation_id="shop_orders")
def list_orders(
    svc: ShopDep,
    user: CurrentUser,
    status: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    before: Annotated[float | None, Query(ge=0, le=1e11)] = None,
) -> list[s.Order]:
    """Customers: their orders; sellers: orders holding their products; admins: all."""
    rows = svc.orders.list(user.user_id, user.roles, status, limit, before)
    return [s.Order(**o) for o in rows]


@router.get("/orders/{order_id}", response_model=s.Order, operation_id="shop_order")
def get_order(order_id: PathId, svc: ShopDep, user: CurrentUser) -> s.Order:
    return s.Order(**svc.orders.get(_order(order_id), user.user_id, user.roles))


@router.post(
    "/orders/{order_id}/transitions", response_model=s.Order, operation_id="shop_order_transition"
)
def transition(
    order_id: PathId, body: s.ShopTransitionIn, svc: ShopDep, user: CurrentUser
) -> s.Order:
    """A lifecycle step: 409 when the order is not in a state it starts from."""
    out = svc.orders.act(_order(order_id), body.action, user.user_id, user.roles, body.note)
    return s.Order(**out)


@router.post(
    "/orders/{order_id}/tracking", response_model=s.Order, operation_id="shop_order_tracking"
)
def tracking(order_id: PathId, body: s.ShopTrackingIn, svc: ShopDep, user: SellerUser) -> s.Order:
    return s.Order(**svc.orders.track(_order(order_id), user.user_id, user.roles, body.note))


@router.post("/orders/{order_id}/refunds", response_model=s.Order, operation_id="shop_order_refund")
def refund(order_id: PathId, body: s.ShopRefundIn, svc: ShopDep, user: SellerUser) -> s.Order:
    """A (partial) refund by amount of a delivered or returned order."""
    return s.Order(**svc.orders.refund(_order(order_id), body.amount, user.user_id, user.roles))


@router.post(
    "/orders/{order_id}/shipments/{seller_id}/transitions",
    response_model=s.Order,
    operation_id="shop_shipment_transition",
)
def shipment_transition(
    order_id: PathId, seller_id: SellerId, body: s.ShopTransitionIn, svc: ShopDep, user: SellerUser
) -> s.Order:
    """Pack, ship or deliver one seller's shipment (403 for another seller's); the order is
    packed, shipped or delivered once all its shipments are."""
    out = svc.orders.act_shipment(
        _order(order_id), seller_id, body.action, user.user_id, user.roles
    )
    return s.Order(**out)


@router.post(
    "/orders/{order_id}/shipments/{seller_id}/refunds",
    response_model=s.Order,
    operation_id="shop_shipment_refund",
)
def shipment_refund(
    order_id: PathId, seller_id: SellerId, body: s.ShopRefundIn, svc: ShopDep, user: SellerUser
) -> s.Order:
    """A (partial) refund of one seller's delivered shipment (403 for another seller's)."""
    out = svc.orders.refund_shipment(
        _order(order_id), seller_id, body.amount, user.user_id, user.roles
    )
    return s.Order(**out)


# -- reviews -----------------------------------------------------------------------------------


@router.put("/products/{product_id}/review", response_model=s.Review, operation_id="shop_review")
def review(product_id: PathId, body: s.ShopReviewIn, svc: ShopDep, user: CustomerUser) -> s.Review:
    """Write or edit the caller's review (verified purchasers only: 403 otherwise)."""
    out = svc.reviews.write(user.user_id, _int(product_id, "product"), body.rating, body.body)
    return s.Review(**out)


@router.get("/products/{product_id}/reviews", response_model=s.Reviews, operation_id="shop_reviews")
def reviews(product_id: PathId, svc: ShopDep, _user: CurrentUser) -> s.Reviews:
    return s.Reviews(**svc.reviews.list(_int(product_id, "product")))


@router.post(
    "/reviews/{review_id}/reports", response_model=s.Review, operation_id="shop_review_report"
)
def report(review_id: PathId, body: s.ShopReportIn, svc: ShopDep, user: CurrentUser) -> s.Review:
    return s.Review(**svc.reviews.report(_int(review_id, "review"), user.user_id, body.reason))


@router.get(
    "/admin/reviews/reported", response_model=list[s.Review], operation_id="shop_review_queue"
)
def review_queue(svc: ShopDep, _admin_user: AdminUser) -> list[s.Review]:
    return [s.Review(**r) for r in svc.reviews.queue()]


@router.post(
    "/admin/reviews/{review_id}/moderation",
    response_model=s.Review,
    operation_id="shop_review_moderate",
)
def moderate(
    review_id: PathId, body: s.ShopModerationIn, svc: ShopDep, user: AdminUser
) -> s.Review:
    return s.Review(**svc.reviews.moderate(_int(review_id, "review"), body.action, user.user_id))


@router.get(
    "/sellers/{seller_id}/rating", response_model=s.SellerRating, operation_id="shop_seller_rating"
)
def seller_rating(seller_id: str, svc: ShopDep, _user: CurrentUser) -> s.SellerRating:
    return s.SellerRating(**svc.reviews.seller_rating(seller_id))


# -- support -----------------------------------------------------------------------------------


@router.post(
    "/orders/{order_id}/tickets",
    status_code=201,
    response_model=s.Ticket,
    operation_id="shop_ticket_open",
)
def open_ticket(
    order_id: PathId, body: s.ShopTicketIn, svc: ShopDep, user: CustomerUser
) -> s.Ticket:
    return s.Ticket(**svc.support.open(_order(order_id), user.user_id, body.subject, body.body))


@router.get("/tickets", response_model=list[s.Ticket], operation_id="shop_tickets")
def tickets(svc: ShopDep, user: CurrentUser) -> list[s.Ticket]:
    return [s.Ticket(**t) for t in svc.support.list(user.user_id, user.roles)]


@router.get("/tickets/{ticket_id}", response_model=s.Ticket, operation_id="shop_ticket")
def ticket(ticket_id: PathId, svc: ShopDep, user: CurrentUser) -> s.Ticket:
    return s.Ticket(**svc.support.get(_int(ticket_id, "ticket"), user.user_id, user.roles))


@router.post(
    "/tickets/{ticket_id}/messages", response_model=s.Ticket, operation_id="shop_ticket_message"
)
def ticket_message(
    ticket_id: PathId, body: s.ShopTicketMessageIn, svc: ShopDep, user: CurrentUser
) -> s.Ticket:
    out = svc.support.post(_int(ticket_id, "ticket"), user.user_id, user.roles, body.body)
    return s.Ticket(**out)


@router.post(
    "/tickets/{ticket_id}/close", response_model=s.Ticket, operation_id="shop_ticket_close"
)
def ticket_close(ticket_id: PathId, svc: ShopDep, user: CurrentUser) -> s.Ticket:
    return s.Ticket(**svc.support.close(_int(ticket_id, "ticket"), user.user_id, user.roles))


async def startup(app) -> None:
    svc: ShopService = app.state.services["shop"]
    if svc.conf.app_sweeper:
        svc.start()


async def shutdown(app) -> None:
    app.state.services["shop"].stop()
