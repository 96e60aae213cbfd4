//! Server functions of the Users page (admins), the Account page (everyone) and the public
//! set-password page.
//!
//! Arguments arrive as text and are parsed here, so a bad value is the domain's "invalid"
//! answer rather than a failure to decode the request.

use leptos::prelude::*;

use super::AppError;
use crate::domain::identity::users::{AddedUser, PasswordLink, UserPage, UserSummary};
use crate::domain::notifications::EmailSettings;

#[cfg(feature = "ssr")]
use super::ssr::{actor_and_store, to_server_fn_error as fail};

/// A page of the org's users; `sort` (`created`, `name`, `status`), `dir`, `status`
/// (`active`, `deactivated`) and `per_page` as the list page's query gives them.
#[server(endpoint = "users", output = crate::server_fns::codec::TextJson)]
pub async fn list_users(
    page: String,
    #[server(default)] sort: String,
    #[server(default)] dir: String,
    #[server(default)] status: String,
    #[server(default)] per_page: String,
) -> Result<UserPage, AppError> {
    use crate::domain::identity::user_service as users;
    use crate::domain::listing::{ListParams, USER_LIST};
    use crate::domain::DomainError;

    let (store, actor) = actor_and_store().await?;
    let choice = USER_LIST.parse(&ListParams { sort, dir, status, per_page })?;
    let page = match page.trim() {
        "" => 1,
        text => text
            .parse()
            .map_err(|_| fail(DomainError::invalid("page", "must be a whole number from 1")))?,
    };
    users::list_users_by(&store, &actor, page, &choice).await.map_err(fail)
}

/// Adds a user; an empty password field means "send a set-password link". Posted without
/// JavaScript, the link is kept in the session for the page the browser returns to.
#[server(endpoint = "add_user", output = crate::server_fns::codec::TextJson)]
pub async fn add_user(
    username: String,
    email: String,
    role: String,
    password: Option<String>,
) -> Result<AddedUser, AppError> {
    use crate::domain::identity::user_service::{self as users, NewOrgUser};
    use crate::domain::identity::{Face, Role};

    let (store, actor) = actor_and_store().await?;
    let new = NewOrgUser {
        username: &username,
        email: &email,
        role: Role::parse(&role).map_err(fail)?,
        password: password.as_deref().filter(|password| !password.is_empty()),
    };
    let added = users::add_user(&store, &actor, Face::Web, new).await.map_err(fail)?;
    if let Some(link) = &added.link {
        ssr::keep_link_for_plain_post(link).await?;
    }
    Ok(added)
}

#[server(endpoint = "change_user_role", output = crate::server_fns::codec::TextJson)]
pub async fn change_user_role(id: String, role: String) -> Result<UserSummary, AppError> {
    use crate::domain::identity::user_service::{self as users, UserChange};
    use crate::domain::identity::{Face, Role};

    let (store, actor) = actor_and_store().await?;
    let change = UserChange { role: Some(Role::parse(&role).map_err(fail)?), active: None };
    users::update_user(&store, &actor, Face::Web, ssr::user_id(&id)?, change).await.map_err(fail)
}

/// Deactivates (`active=false`) or reactivates (`active=true`) a user.
#[server(endpoint = "set_user_active", output = crate::server_fns::codec::TextJson)]
pub async fn set_user_active(id: String, active: String) -> Result<UserSummary, AppError> {
    use crate::domain::identity::user_service::{self as users, UserChange};
    use crate::domain::identity::Face;
    use crate::domain::DomainError;

    let (store, actor) = actor_and_store().await?;
    let active = match active.trim() {
        "true" => true,
        "false" => false,
        _ => return Err(fail(DomainError::invalid("active", "must be `true` or `false`"))),
    };
    let change = UserChange { role: None, active: Some(active) };
    users::update_user(&store, &actor, Face::Web, ssr::user_id(&id)?, change).await.map_err(fail)
}

/// Issues a new one-time set-password link for a user, shown once.
#[server(endpoint = "reset_user_password", output = crate::server_fns::codec::TextJson)]
pub async fn reset_user_password(id: String) -> Result<PasswordLink, AppError> {
    use crate::domain::identity::user_service as users;
    use crate::domain::identity::Face;
    use crate::domain::DomainError;

    let (store, actor) = actor_and_store().await?;
    let link = users::reset_password(&store, &actor, Face::Web, ssr::user_id(&id)?, None)
        .await
        .map_err(fail)?
        .ok_or_else(|| fail(DomainError::Internal("no link was issued".into())))?;
    ssr::keep_link_for_plain_post(&link).await?;
    Ok(link)
}

/// The set-password link made by a plain form post, if any; handed out once.
#[server(endpoint = "take_password_link", output = crate::server_fns::codec::TextJson)]
pub async fn take_password_link() -> Result<Option<PasswordLink>, AppError> {
    ssr::take_link().await
}

/// The signed-in user changes their own password.
#[server(endpoint = "change_own_password", output = crate::server_fns::codec::TextJson)]
pub async fn change_own_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    use crate::domain::identity::user_service as users;
    use crate::domain::identity::Face;

    let (store, actor) = actor_and_store().await?;
    users::change_own_password(&store, &actor, Face::Web, &current_password, &new_password)
        .await
        .map_err(fail)?;
    // Without JavaScript the browser is sent back; the query tells the page it worked.
    if super::ssr::is_plain_form_post().await {
        leptos_axum::redirect("/account?changed=1");
    }
    Ok(())
}

/// Whose a live set-password link is (public: the link is the credential).
#[server(endpoint = "password_link", output = crate::server_fns::codec::TextJson)]
pub async fn password_link_username(token: String) -> Result<String, AppError> {
    use crate::domain::identity::user_service as users;

    let store = super::ssr::request_store().map_err(fail)?;
    users::password_link_username(&store, &token).await.map_err(fail)
}

/// The signed-in user's email settings (and whether this server sends email at all).
#[server(endpoint = "email_settings", output = crate::server_fns::codec::TextJson)]
pub async fn get_email_settings() -> Result<EmailSettings, AppError> {
    use crate::domain::notifications::{email, EmailAvailability};

    let (store, actor) = actor_and_store().await?;
    let availability = use_context::<EmailAvailability>().unwrap_or_default();
    email::settings(&store, &actor, availability).await.map_err(fail)
}

/// Saves the Account page's email form: each category is a checkbox named after it, present
/// when ticked, so a category left out is turned off.
#[server(endpoint = "save_email_settings", output = crate::server_fns::codec::TextJson)]
pub async fn save_email_settings(
    #[server(default)] shares: Option<String>,
    #[server(default)] offers: Option<String>,
    #[server(default)] requests: Option<String>,
    #[server(default)] reminders: Option<String>,
    #[server(default)] webhooks: Option<String>,
) -> Result<EmailSettings, AppError> {
    use crate::domain::notifications::{email, Category, EmailAvailability};

    let (store, actor) = actor_and_store().await?;
    let availability = use_context::<EmailAvailability>().unwrap_or_default();
    let ticked = |category: Category| match category {
        Category::Shares => shares.is_some(),
        Category::Offers => offers.is_some(),
        Category::Requests => requests.is_some(),
        Category::Reminders => reminders.is_some(),
        Category::Webhooks => webhooks.is_some(),
    };
    let changes: Vec<_> =
        Category::ALL.into_iter().map(|category| (category, ticked(category))).collect();
    let settings =
        email::set_email_categories(&store, &actor, availability, &changes).await.map_err(fail)?;
    // Without JavaScript the browser is sent back; the query tells the page it worked.
    if super::ssr::is_plain_form_post().await {
        leptos_axum::redirect("/account?email_saved=1");
    }
    Ok(settings)
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::super::AppError;
    use tower_sessions::Session;

    use super::fail;
    use crate::domain::identity::users::PasswordLink;
    use crate::domain::ids::UserId;
    use crate::domain::DomainError;

    const NEW_LINK: &str = "new_password_link";

    pub fn user_id(text: &str) -> Result<UserId, AppError> {
        text.trim().parse().map_err(|_| fail(DomainError::NotFound("user")))
    }

    /// A plain form post is redirected back to the page, which then shows the link once.
    pub async fn keep_link_for_plain_post(link: &PasswordLink) -> Result<(), AppError> {
        if super::super::ssr::is_plain_form_post().await {
            session().await?.insert(NEW_LINK, link).await.map_err(session_error)?;
        }
        Ok(())
    }

    pub async fn take_link() -> Result<Option<PasswordLink>, AppError> {
        session().await?.remove(NEW_LINK).await.map_err(session_error)
    }

    async fn session() -> Result<Session, AppError> {
        leptos_axum::extract::<Session>()
            .await
            .map_err(|error| fail(DomainError::Internal(error.to_string().into())))
    }

    fn session_error(error: tower_sessions::session::Error) -> AppError {
        fail(DomainError::Internal(Box::new(error)))
    }
}
