// Click-to-load embeds (generator/site/embeds.py): nothing is fetched from a provider
// until the reader presses the button, which swaps the box for the provider's player.
// Without this script the reader has the plain link under the box, and the button
// stays hidden.
for (const figure of document.querySelectorAll("figure.embed[data-embed-src]")) {
  const box = figure.querySelector(".embed-box");
  const button = figure.querySelector(".embed-load");
  if (!box || !button) continue;
  button.hidden = false;
  button.addEventListener("click", () => {
    const frame = document.createElement("iframe");
    frame.className = "embed-frame";
    frame.src = figure.dataset.embedSrc;
    frame.title = figure.dataset.embedTitle;
    frame.allow = "autoplay; encrypted-media; fullscreen; picture-in-picture";
    frame.allowFullscreen = true;
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    box.replaceWith(frame);
    frame.focus();
  });
}

// A Datawrapper chart tells its page how tall it is.
window.addEventListener("message", (event) => {
  const heights = event.origin === "https://datawrapper.dwcdn.net" && event.data
    && event.data["datawrapper-height"];
  if (!heights) return;
  for (const frame of document.querySelectorAll("iframe.embed-frame")) {
    if (frame.contentWindow === event.source) {
      for (const height of Object.values(heights)) frame.style.height = `${Number(height)}px`;
    }
  }
});
