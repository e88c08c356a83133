// The /search/ page: query Folio's Pagefind index and list headline, date and excerpt.
// Without this script the page still links to the tag, author and date indexes.

const SHOWN = 50;

const root = document.querySelector("[data-search-index]");
const form = root.querySelector(".search-form");
const input = form.querySelector("input[name=q]");
const status = root.querySelector(".search-status");
const list = root.querySelector(".search-results");

// The index comes in shards (a year of stories, or part of one), each a Pagefind
// index of its own, listed in shards.json beside them: the first is loaded, the
// others merged into it, so one search covers them all.
async function loadIndex() {
  const manifest = new URL(root.dataset.searchIndex, window.location.href);
  const response = await fetch(manifest);
  if (!response.ok) throw new Error(`${manifest}: ${response.status}`);
  const folders = inLanguage(await response.json())
    .map((shard) => new URL(`${encodeURIComponent(shard)}/`, manifest).pathname);
  const options = { baseUrl: root.dataset.searchBase };
  const pagefind = await import(`${folders[0]}pagefind.js`);
  await pagefind.options(options);
  await Promise.all(folders.slice(1).map((folder) => pagefind.mergeIndex(folder, options)));
  return pagefind;
}

// The shards holding stories in the page's language: Pagefind searches each shard in
// the page's language, or, in a shard with none, in another one.
function inLanguage(manifest) {
  const shards = Object.keys(manifest.shards);
  const language = document.documentElement.lang.toLowerCase();
  const spoken = shards.filter((shard) => (manifest.languages?.[shard] ?? [])
    .some((tag) => tag === language || tag.split("-")[0] === language.split("-")[0]));
  return spoken.length ? spoken : shards;
}

// Pagefind excerpts are HTML whose matches are wrapped in <mark>: keep the text
// and the marks, drop anything else, never insert the markup itself.
function excerptNodes(excerpt) {
  const parsed = new DOMParser().parseFromString(excerpt, "text/html");
  return Array.from(parsed.body.childNodes, (node) => {
    if (node.nodeName !== "MARK") return document.createTextNode(node.textContent);
    const mark = document.createElement("mark");
    mark.textContent = node.textContent;
    return mark;
  });
}

function element(name, className, ...children) {
  const node = document.createElement(name);
  if (className) node.className = className;
  node.append(...children);
  return node;
}

function resultItem(data) {
  const link = element("a", null, data.meta.title || data.url);
  link.href = data.url;
  const date = element("time", null, data.meta.date || "");
  if (data.meta.datetime) date.dateTime = data.meta.datetime;
  return element(
    "li", "search-result",
    element("h2", "search-result-title", link),
    element("p", "meta search-result-date", date),
    element("p", "search-result-excerpt", ...excerptNodes(data.excerpt)),
  );
}

function describe(count, query) {
  if (count === 0) return `No stories match “${query}”.`;
  const found = `${count} ${count === 1 ? "story matches" : "stories match"} “${query}”`;
  return count > SHOWN ? `${found}; the best ${SHOWN} are shown.` : `${found}.`;
}

// Pagefind leaves out of a query the words an index lacks: one index of every story
// leaves out a word no story has, but a shard also leaves out a word only other
// shards' stories have. So, as one index would, a story found must match each word
// of the query that matches any story.
async function matchingEveryKnownWord(pagefind, query, results) {
  const words = query.replaceAll('"', " ").split(/\s+/).filter(Boolean);
  if (words.length < 2) return results;
  const matches = await Promise.all(words.map(async (word) => {
    const found = await pagefind.search(word);
    return new Set(found.results.map((result) => result.id));
  }));
  const known = matches.filter((ids) => ids.size > 0);
  return results.filter((result) => known.every((ids) => ids.has(result.id)));
}

async function search(pagefind, query) {
  status.textContent = "Searching…";
  const found = await pagefind.search(query);
  const results = await matchingEveryKnownWord(pagefind, query, found.results);
  const data = await Promise.all(results.slice(0, SHOWN).map((result) => result.data()));
  list.replaceChildren(...data.map(resultItem));
  status.textContent = describe(results.length, query);
}

async function main() {
  const query = (new URLSearchParams(window.location.search).get("q") || "").trim();
  input.value = query;
  let pagefind;
  try {
    pagefind = await loadIndex();
  } catch {
    status.textContent = "The search index could not be loaded; use the indexes below.";
    return;
  }
  form.hidden = false;
  document.querySelector(".search-nojs").hidden = true;
  if (!query) return;
  try {
    await search(pagefind, query);
  } catch {
    status.textContent = "The search failed; try again, or use the indexes below.";
  }
}

main();
