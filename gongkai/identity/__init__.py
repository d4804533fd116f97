"""Sign-in through an external identity provider (统一身份认证): staff through the province's
unified identity platform, the public through their government-service account, both over
OpenID Connect; and the public accounts that such a sign-in creates."""
