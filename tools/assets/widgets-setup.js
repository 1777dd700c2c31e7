// Loaded after require.js and before the Jupyter widgets HTML manager (see _config.yml).
(function () {
  // 1. The manager finds its fonts and styles next to the URL that RequireJS gives its own
  //    module; by default that URL is relative to the page, which breaks on pages in
  //    sub-folders. Map the module's folder onto the vendored copy next to this script.
  var vendor = new URL(".", document.currentScript.src).href;
  require.config({
    paths: { "@jupyter-widgets/html-manager/dist": vendor + "html-manager" },
  });

  // 2. The manager typesets widget labels through MathJax 2's MathJax.Hub.Queue; the book
  //    ships MathJax 3, which has no Hub. Translate the one call it makes. MathJax 3 replaces
  //    window.MathJax when it starts (a deferred script, so before DOMContentLoaded), hence
  //    the shim is installed once the document is parsed.
  function typesetLater(job) {
    var element = job && job[2];
    var ready = MathJax.startup && MathJax.startup.promise ? MathJax.startup.promise : Promise.resolve();
    ready
      .then(function () {
        return MathJax.typesetPromise ? MathJax.typesetPromise(element ? [element] : undefined) : null;
      })
      .catch(function (error) {
        console.warn("MathJax could not typeset a widget label", error);
      });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (window.MathJax && !window.MathJax.Hub) {
      window.MathJax.Hub = { Queue: typesetLater };
    }
  });
})();
