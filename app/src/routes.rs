//! The pages that are loaded lazily in the browser (issue #15: a smaller first load).
//!
//! The signed-in pages are one module of the bundle, fetched when the first of them is shown;
//! the offer page, which a partner opens from a link, is another. The sign-in, start and
//! set-password pages stay in the main module. A module per page was measured and dropped:
//! the pages share so much code that wasm-split cut it into some 360 small modules, and a
//! first visit to /shared fetched 215 of them. On the server, every route renders as before.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use crate::pages::access::AccessPage;
use crate::pages::{
    account::AccountPage, account_share_detail::AccountShareDetailPage, audit::AuditPage,
    notifications::NotificationsPage, offer::OfferPage, overview::OverviewPage,
    partner_detail::PartnerDetailPage, partners::PartnersPage, person_detail::PersonDetailPage,
    requests::RequestsPage, roles::RolesPage, shared::SharedPage, tokens::TokensPage,
    users::UsersPage, webhook_detail::WebhookDetailPage, webhooks::WebhooksPage,
};

/// One route per signed-in page, all of them rendered by one lazily loaded function.
macro_rules! lazy_signed_in_pages {
    ($($route:ident => $page:ident),+ $(,)?) => {
        /// The signed-in pages, each variant named as its page component.
        #[derive(Clone, Copy)]
        #[allow(clippy::enum_variant_names)]
        pub enum SignedInPage { $($page),+ }

        /// The signed-in pages' module: its code is split out of the main module.
        #[lazy]
        fn signed_in_pages(page: SignedInPage) -> AnyView {
            match page { $(SignedInPage::$page => view! { <$page /> }.into_any()),+ }
        }

        $(
            #[doc = concat!("The route of [`", stringify!($page), "`], loaded with the signed-in pages.")]
            pub struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_this: Self) -> AnyView {
                    signed_in_pages(SignedInPage::$page).await
                }

                // The router loads the module before it hydrates or shows the page, and then
                // expects `view` to be ready at once.
                async fn preload() {
                    #[cfg(target_arch = "wasm32")]
                    __preload_signed_in_pages().await;
                }
            }
        )+
    };
}

lazy_signed_in_pages! {
    OverviewRoute => OverviewPage,
    TokensRoute => TokensPage,
    AuditRoute => AuditPage,
    PartnersRoute => PartnersPage,
    PartnerDetailRoute => PartnerDetailPage,
    RolesRoute => RolesPage,
    SharedRoute => SharedPage,
    RequestsRoute => RequestsPage,
    NotificationsRoute => NotificationsPage,
    UsersRoute => UsersPage,
    AccountRoute => AccountPage,
    WebhooksRoute => WebhooksPage,
    WebhookDetailRoute => WebhookDetailPage,
    AccessRoute => AccessPage,
    AccountShareDetailRoute => AccountShareDetailPage,
    PersonDetailRoute => PersonDetailPage,
}

/// The offer page, a module of its own: a partner opening an offer link loads it alone.
pub struct OfferRoute;

#[lazy_route]
impl LazyRoute for OfferRoute {
    fn data() -> Self {
        OfferRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <OfferPage /> }.into_any()
    }
}
