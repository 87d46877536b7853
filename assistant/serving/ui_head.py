"""The page's own style and script (put in HEAD when the UI is mounted).

The style lays the page out as a grid: chat and sources side by side on a desktop; on a phone the chat (with
its question box above the fold), then the sources right under it, then the filter and examples. The script
makes citation links open their article in the sources panel (Gradio would open a plain link in a new tab):
it unfolds a collapsed card, scrolls to it and flashes it.
"""

HEAD = """
<style>
.lawqa-source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px;
  margin-bottom: 12px; display: block; }
details.lawqa-source > summary { cursor: pointer; }
.lawqa-source:target, .lawqa-source.lawqa-flash { outline: 3px solid #f59e0b; }
.lawqa-cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; }
.lawqa-cols p { margin: 0 0 6px 0; white-space: pre-wrap; }
.lawqa-meta { color: var(--body-text-color-subdued); font-size: 0.9em; }
.lawqa-related li { margin-bottom: 6px; }
.lawqa-progress { display: flex; gap: 10px; align-items: center; }
.lawqa-progress progress { flex: 1; max-width: 420px; }
#lawqa-main { display: grid !important; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
  grid-template-areas: "chat sources" "controls sources"; gap: 16px; align-items: start; }
#lawqa-chatcol { grid-area: chat; }
#lawqa-controls { grid-area: controls; }
#lawqa-sourcecol { grid-area: sources; position: sticky; top: 8px; max-height: calc(100vh - 16px);
  overflow-y: auto; flex-wrap: nowrap !important; }
#lawqa-header { align-items: center; }
#lawqa-language { min-width: 190px !important; }
#lawqa-language .wrap { flex-wrap: nowrap; }
@media (max-width: 768px) {
  #lawqa-main { grid-template-columns: minmax(0, 1fr); grid-template-areas: "chat" "sources" "controls"; }
  #lawqa-sourcecol { position: static; max-height: none; overflow: visible; }
  #lawqa-chat { height: 46vh !important; max-height: 46vh !important; }
  #lawqa-title { flex: 1 1 100% !important; }
  #lawqa-title h2 { font-size: 1.1em; margin: 0; }
  #lawqa-title p, #lawqa-notice p { font-size: 0.85em; margin: 0; }
}
</style>
<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest('a[href^="#lawqa-"]');
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const target = document.getElementById(link.getAttribute("href").slice(1));
  if (!target) return;
  if (target.tagName === "DETAILS") target.open = true;
  // On a desktop the sources column scrolls by itself beside the chat; on a phone the page scrolls.
  const column = target.closest("#lawqa-sourcecol");
  if (column && getComputedStyle(column).overflowY === "auto" && column.scrollHeight > column.clientHeight) {
    const top = target.getBoundingClientRect().top - column.getBoundingClientRect().top + column.scrollTop;
    column.scrollTo({top: top - 8, behavior: "smooth"});
  } else {
    target.scrollIntoView({behavior: "smooth", block: "start"});
  }
  target.classList.add("lawqa-flash");
  setTimeout(() => target.classList.remove("lawqa-flash"), 2000);
}, true);
</script>
"""
