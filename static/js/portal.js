// Progressive enhancement only: every feature works without this file.
// Adds a "Copy" button to each code block.
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll(".prose .highlight").forEach(function (block) {
    var pre = block.querySelector("pre");
    if (!pre) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy code to clipboard");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(pre.innerText.replace(/\n$/, "")).then(
        function () { button.textContent = "Copied"; },
        function () { button.textContent = "Copy failed"; }
      );
      setTimeout(function () { button.textContent = "Copy"; }, 2000);
    });
    block.appendChild(button);
  });
})();
