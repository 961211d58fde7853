//! Shipshape's browser app (Leptos 0.8, client-side rendering, built with Trunk).
//!
//! A short tour:
//! - [`App`] (this file) sets up the router: `/` catalog, `/lessons/:id` lesson
//!   player, `/sandbox` sandbox, `/join`, `/workshops/new` and
//!   `/workshops/:id/instructor` workshops, anything else the not-found page.
//! - [`state`] holds the one piece of mutable state a page works on: a
//!   [`simulator::Timeline`] (the simulation, rewindable with checkpoints) plus the
//!   terminal transcript, behind the [`state::SimHandle`] context newtype. Every change
//!   goes through [`state::SimHandle::dispatch`]; views read its memos.
//! - [`pages`] has one file per page; [`components`] the pieces pages share
//!   (terminal with tab completion, event log with explanations, timeline bar,
//!   diagram, charts, process-flow strip, quiz).
//! - [`diagram`] turns a simulation into a scene, a layout and a text alternative
//!   (pure Rust, tested natively); [`charts`] extracts the series the charts draw.
//! - [`progress`] is the learner's progress (localStorage, export/import) behind the
//!   [`progress::ProgressHandle`] context; [`share`] encodes sandbox sessions in links
//!   and files; [`browser_file`] downloads and reads those files.
//! - [`markdown`] renders lesson narration (a small, escaping Markdown subset).
//! - [`workshop`] is the browser side of instructor-led workshops: `/workshops/new`,
//!   `/join`, `/workshops/:id/instructor`, progress reports and the broadcast banner.

pub mod browser_file;
pub mod charts;
pub mod components;
pub mod diagram;
pub mod markdown;
pub mod pages;
pub mod progress;
pub mod share;
pub mod state;
pub mod workshop;

use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

use crate::pages::catalog::CatalogPage;
use crate::pages::join::JoinPage;
use crate::pages::lesson::LessonPage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::sandbox::SandboxPage;
use crate::pages::workshop_instructor::InstructorPage;
use crate::pages::workshop_new::NewWorkshopPage;
use crate::workshop::banner::WorkshopBanner;

/// The whole app: site header, routes and footer.
#[component]
pub fn App() -> impl IntoView {
    workshop::WorkshopHandle::provide();
    progress::ProgressHandle::provide();
    view! {
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <header class="site-header">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"⎈"</span>
                    "Shipshape"
                </a>
                <nav aria-label="Main">
                    <A href="/" exact=true>"Lessons"</A>
                    <A href="/sandbox">"Sandbox"</A>
                </nav>
            </header>
            <WorkshopBanner />
            <main id="main" tabindex="-1">
                <Routes fallback=|| view! { <NotFoundPage /> }>
                    <Route path=path!("/") view=CatalogPage />
                    <Route path=path!("/lessons/:id") view=LessonPage />
                    <Route path=path!("/sandbox") view=SandboxPage />
                    <Route path=path!("/join") view=JoinPage />
                    <Route path=path!("/workshops/new") view=NewWorkshopPage />
                    <Route path=path!("/workshops/:id/instructor") view=InstructorPage />
                </Routes>
            </main>
            <footer class="site-footer">
                "Shipshape — a simulated cluster; nothing here touches a real one. "
                <a href="/join" data-testid="footer-join">"Join a workshop"</a>
                " · "
                <a href="/workshops/new">"Run a workshop"</a>
            </footer>
        </Router>
    }
}
