// The record page's "select the proposed status" button (no inline scripts: the CSP forbids them).
// Without JavaScript the button stays hidden and the department chooses in the select itself.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-select-status]")) {
    const select = document.getElementById(button.dataset.selectTarget);
    if (!select) continue;
    button.hidden = false;
    button.addEventListener("click", () => {
      select.value = button.dataset.selectStatus;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      select.focus();
    });
  }
});
