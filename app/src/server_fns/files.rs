//! Server functions of the Shared, Requests and Notifications pages.

use leptos::prelude::*;

use super::AppError;
use serde::{Deserialize, Serialize};

use crate::domain::files::{Notification, RequestPage, SharePage};
use crate::domain::identity::Actor;

#[cfg(feature = "ssr")]
use super::ssr::actor_and_store;

/// What the navigation counts: incoming requests waiting for an answer, unread notifications.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NavigationCounts {
    pub pending_requests: usize,
    pub unread_notifications: i64,
}

/// One recipient's or one item's verdict after sharing from the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareVerdict {
    pub subject: String,
    pub error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareFromPage {
    pub shared: bool,
    pub verdicts: Vec<ShareVerdict>,
}

#[server(endpoint = "nav_counts", output = crate::server_fns::codec::TextJson)]
pub async fn nav_counts() -> Result<NavigationCounts, AppError> {
    let (store, actor) = actor_and_store().await?;
    Ok(ssr::counts(&store, &actor).await?)
}

/// What the page frame shows: the signed-in actor and the navigation counts, or `None` for a
/// visitor. One resource for the frame, so that it never awaits one resource behind another.
#[server(endpoint = "navigation", output = crate::server_fns::codec::TextJson)]
pub async fn navigation() -> Result<Option<(Actor, NavigationCounts)>, AppError> {
    use crate::domain::DomainError;
    let store = super::ssr::request_store()?;
    match crate::auth::ssr::current_actor(&store).await {
        Ok(actor) => {
            let counts = ssr::counts(&store, &actor).await?;
            Ok(Some((actor, counts)))
        }
        Err(DomainError::Unauthenticated) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// People to offer as recipients whose username or email contains `q` (the people picker).
#[server(endpoint = "find_people", output = crate::server_fns::codec::TextJson)]
pub async fn find_people(q: String) -> Result<Vec<crate::domain::files::PersonMatch>, AppError> {
    use crate::domain::files::service as files;
    let (store, actor) = actor_and_store().await?;
    Ok(files::find_recipients(&store, &actor, &q).await?)
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::NavigationCounts;
    use crate::domain::files::{service as files, RequestFilter};
    use crate::domain::identity::Actor;
    use crate::domain::store::Store;
    use crate::domain::DomainError;

    pub async fn counts(store: &Store, actor: &Actor) -> Result<NavigationCounts, DomainError> {
        let filter = RequestFilter { limit: files::MAX_PAGE, ..RequestFilter::default() };
        let pending_requests = files::requests(store, actor, true, &filter).await?.len();
        let unread_notifications = files::unread_notifications(store, actor).await?;
        Ok(NavigationCounts { pending_requests, unread_notifications })
    }
}

/// A page of the caller's sent or received file and app shares, sorted as `sort` and `dir`
/// ask (`FILE_SHARE_LIST`).
#[server(endpoint = "shares", output = crate::server_fns::codec::TextJson)]
pub async fn list_shares(
    tab: String,
    kind: String,
    q: String,
    page: i64,
    #[server(default)] sort: String,
    #[server(default)] dir: String,
    #[server(default)] per_page: String,
) -> Result<SharePage, AppError> {
    use crate::domain::files::service as files;
    use crate::domain::listing::{ListParams, FILE_SHARE_LIST};
    let (store, actor) = actor_and_store().await?;
    let list = FILE_SHARE_LIST.parse(&ListParams { sort, dir, status: String::new(), per_page })?;
    let kind = Some(kind.as_str()).filter(|k| !k.is_empty());
    let text = Some(q.as_str()).filter(|q| !q.trim().is_empty());
    Ok(files::share_page(&store, &actor, tab == "received", kind, text, &list, page).await?)
}

/// Shares one path with the recipients (comma or space separated) and reports per entry.
#[server(endpoint = "share_files", output = crate::server_fns::codec::TextJson)]
pub async fn share_files(
    path: String,
    recipients: String,
    access: String,
) -> Result<ShareFromPage, AppError> {
    use crate::domain::files::{service as files, Access, EntryError, ThingRef};
    use crate::domain::identity::Face;
    let (store, actor) = actor_and_store().await?;
    let access = Access::parse("access", &access)?;
    let recipients: Vec<String> = recipients
        .split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect();
    if recipients.is_empty() {
        return Err(AppError::from(crate::domain::DomainError::invalid(
            "recipients",
            "name at least one user",
        )));
    }
    let things = [Ok(ThingRef::File { path_or_uid: path.trim().to_owned(), access })];
    let outcome =
        files::share_with_people(&store, &actor, Face::Web, &recipients, &things, false).await?;
    let describe = |error: &EntryError| match error {
        EntryError::UserDoesNotExist { username } => format!("no user `{username}`"),
        EntryError::SubjectDoesNotExist => "no such file of yours".to_owned(),
        EntryError::Invalid { message } => message.clone(),
    };
    let mut verdicts: Vec<ShareVerdict> = recipients
        .iter()
        .zip(&outcome.recipients)
        .map(|(name, result)| ShareVerdict {
            subject: name.clone(),
            error: result.as_ref().err().map(describe),
        })
        .collect();
    verdicts.extend(outcome.things.iter().map(|result| ShareVerdict {
        subject: path.trim().to_owned(),
        error: result.as_ref().err().map(describe),
    }));
    Ok(ShareFromPage { shared: outcome.written, verdicts })
}

#[server(endpoint = "revoke_share", output = crate::server_fns::codec::TextJson)]
pub async fn revoke_share(id: String, #[server(default)] confirm: String) -> Result<(), AppError> {
    use crate::domain::{files::service as files, identity::Face, DomainError};
    if confirm != "yes" {
        return Err(AppError::from(DomainError::invalid(
            "confirm",
            "confirm the revocation first",
        )));
    }
    let (store, actor) = actor_and_store().await?;
    Ok(files::revoke_share(&store, &actor, Face::Web, &id).await?)
}

#[server(endpoint = "share_access", output = crate::server_fns::codec::TextJson)]
pub async fn change_share_access(id: String, access: String) -> Result<(), AppError> {
    use crate::domain::files::{service as files, Access};
    use crate::domain::identity::Face;
    let (store, actor) = actor_and_store().await?;
    let access = Access::parse("access", &access)?;
    Ok(files::change_access(&store, &actor, Face::Web, &id, access).await?)
}

/// A page of the caller's requests: `tab` `incoming` (the default) or `outgoing`; `sort`
/// (`asked`, `file`, `status`), `dir`, `status` (`pending`, `approved`, `declined`) and
/// `per_page` as the list page's query gives them.
#[server(endpoint = "requests", output = crate::server_fns::codec::TextJson)]
pub async fn list_requests(
    tab: String,
    #[server(default)] page: String,
    #[server(default)] sort: String,
    #[server(default)] dir: String,
    #[server(default)] status: String,
    #[server(default)] per_page: String,
) -> Result<RequestPage, AppError> {
    use crate::domain::files::service as files;
    use crate::domain::listing::{ListParams, REQUEST_LIST};
    use crate::domain::DomainError;
    let (store, actor) = actor_and_store().await?;
    let choice = REQUEST_LIST.parse(&ListParams { sort, dir, status, per_page })?;
    let page = match page.trim() {
        "" => 1,
        text => text
            .parse()
            .map_err(|_| DomainError::invalid("page", "must be a whole number from 1"))?,
    };
    Ok(files::request_page(&store, &actor, tab != "outgoing", page, &choice).await?)
}

#[server(endpoint = "request_file", output = crate::server_fns::codec::TextJson)]
pub async fn request_file(
    path: String,
    #[server(default)] message: String,
) -> Result<(), AppError> {
    use crate::domain::{files::service as files, identity::Face};
    let (store, actor) = actor_and_store().await?;
    Ok(files::request_access_by_path(&store, &actor, Face::Web, &path, &message).await?)
}

/// Approves (`decision = "approved"`, with an optional message to the requester) or declines
/// an incoming request.
#[server(endpoint = "answer_request", output = crate::server_fns::codec::TextJson)]
pub async fn answer_request(
    id: String,
    decision: String,
    #[server(default)] message: String,
) -> Result<(), AppError> {
    use crate::domain::files::service::{self as files, Answer};
    use crate::domain::identity::Face;
    let (store, actor) = actor_and_store().await?;
    let answer = Answer { message: &message, ..Answer::default() };
    Ok(files::answer_request(&store, &actor, Face::Web, &id, &decision, answer).await?)
}

#[server(endpoint = "withdraw_request", output = crate::server_fns::codec::TextJson)]
pub async fn withdraw_request(id: String) -> Result<(), AppError> {
    use crate::domain::{files::service as files, identity::Face};
    let (store, actor) = actor_and_store().await?;
    Ok(files::withdraw_request(&store, &actor, Face::Web, &id).await?)
}

#[server(endpoint = "notifications", output = crate::server_fns::codec::TextJson)]
pub async fn list_notifications() -> Result<Vec<Notification>, AppError> {
    use crate::domain::files::service as files;
    let (store, actor) = actor_and_store().await?;
    Ok(files::notifications(&store, &actor).await?)
}

/// Marks one notification read, or all of them when `id` is empty.
#[server(endpoint = "mark_read", output = crate::server_fns::codec::TextJson)]
pub async fn mark_read(#[server(default)] id: String) -> Result<(), AppError> {
    use crate::domain::files::service as files;
    let (store, actor) = actor_and_store().await?;
    let id = Some(id.as_str()).filter(|id| !id.is_empty());
    files::mark_read(&store, &actor, id).await?;
    Ok(())
}
