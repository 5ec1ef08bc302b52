"""The payment gateway building block (systems 4, 13 and 15 take money through it).

``adapter.PaymentGateway`` is the one interface; ``local.LocalGatewayAdapter`` talks to the
local gateway (``gateway.LocalGateway`` behind ``gateway_app``: Stripe's semantics, run
in-process or as its own process) and ``stripe_adapter.StripeAdapter`` to Stripe (or any
server that speaks its API) through the official SDK.
"""
