//! The pages that are loaded lazily in the browser (issue #15: a smaller first load).
//!
//! The signed-in pages come in four modules of the bundle, each fetched when the first of its
//! pages is shown: the overview (where signing in lands) with the notifications, the partner
//! pages, the share pages, and the administration pages. The offer page, which a partner
//! opens from a link, is a module of its own. The sign-in, start and set-password pages stay
//! in the main module. Measured (README, Performance): one module for all signed-in pages made
//! their first load 555 KB brotli; one per page cut the shared code into some 360 modules, of
//! which a first visit to /shared fetched 215. On the server, every route renders as before.

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

/// A group of signed-in pages loaded together: one route per page, all rendered by one lazily
/// loaded function (`$load`; `$preload` is the name `#[lazy]` gives its preloader).
macro_rules! lazy_page_group {
    ($load:ident, $preload:ident, $group:ident { $($route:ident => $page:ident),+ $(,)? }) => {
        /// The pages of one lazily loaded module, each variant named as its page component.
        #[derive(Clone, Copy)]
        #[allow(clippy::enum_variant_names)]
        pub enum $group { $($page),+ }

        /// The group's module: its code is split out of the main module.
        #[lazy]
        fn $load(page: $group) -> AnyView {
            match page { $($group::$page => view! { <$page /> }.into_any()),+ }
        }

        $(
            #[doc = concat!("The route of [`", stringify!($page), "`], loaded with its group.")]
            pub struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_this: Self) -> AnyView {
                    $load($group::$page).await
                }

                // The router loads the module before it hydrates or shows the page, and then
                // expects `view` to be ready at once.
                async fn preload() {
                    #[cfg(target_arch = "wasm32")]
                    $preload().await;
                }
            }
        )+
    };
}

lazy_page_group!(overview_pages, __preload_overview_pages, OverviewPages {
    OverviewRoute => OverviewPage,
    NotificationsRoute => NotificationsPage,
});

lazy_page_group!(partner_pages, __preload_partner_pages, PartnerPages {
    PartnersRoute => PartnersPage,
    PartnerDetailRoute => PartnerDetailPage,
    RolesRoute => RolesPage,
});

lazy_page_group!(share_pages, __preload_share_pages, SharePages {
    SharedRoute => SharedPage,
    AccountShareDetailRoute => AccountShareDetailPage,
    RequestsRoute => RequestsPage,
    AccessRoute => AccessPage,
});

lazy_page_group!(admin_pages, __preload_admin_pages, AdminPages {
    UsersRoute => UsersPage,
    PersonDetailRoute => PersonDetailPage,
    TokensRoute => TokensPage,
    AccountRoute => AccountPage,
    WebhooksRoute => WebhooksPage,
    WebhookDetailRoute => WebhookDetailPage,
    AuditRoute => AuditPage,
});

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
