// The console's only script: times in the reader's own zone, and live regions refreshed when routing changes the floor.
// Without it every page still works (reload to see changes).
"use strict";

function localTimes(root) {
  for (const el of root.querySelectorAll("time[data-local]")) {
    const at = new Date(el.getAttribute("datetime"));
    if (isNaN(at)) continue;
    const options = el.dataset.local === "datetime"
      ? { dateStyle: "medium", timeStyle: "short" }
      : { hour: "2-digit", minute: "2-digit" };
    el.textContent = at.toLocaleString(undefined, options);
    el.title = at.toISOString();
  }
}

let refreshing = false;
let again = false;

// Fetches this page again and swaps each live region whose content changed; a region holding the keyboard focus waits.
async function refresh(status) {
  if (refreshing) { again = true; return; }
  refreshing = true;
  try {
    const response = await fetch(location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" });
    if (!response.ok) { status.textContent = "Live updates paused (" + response.status + "); reload the page."; return; }
    const next = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const region of document.querySelectorAll("[data-live-region]")) {
      const name = region.getAttribute("data-live-region");
      const fresh = next.querySelector('[data-live-region="' + name + '"]');
      if (!fresh || fresh.innerHTML === region.innerHTML || region.contains(document.activeElement)) continue;
      region.innerHTML = fresh.innerHTML;
      localTimes(region);
    }
    const stamp = new Date().toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    status.textContent = "Live: updated at " + stamp + ".";
  } catch (e) {
    status.textContent = "Live updates paused; retrying.";
  } finally {
    refreshing = false;
    if (again) { again = false; refresh(status); }
  }
}

document.addEventListener("DOMContentLoaded", () => {
  localTimes(document);
  const source = document.body.dataset.events;
  const status = document.querySelector("[data-live-status]");
  if (!source || !status || !("EventSource" in window)) return;
  const events = new EventSource(source);
  events.addEventListener("ready", () => { document.body.dataset.connected = "true"; });
  events.addEventListener("changed", () => refresh(status));
  events.addEventListener("error", () => { status.textContent = "Live updates paused; reconnecting."; });
});
