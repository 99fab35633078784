// Tables with class "sortable" sort by a column when its header is clicked (again: reverse).
// A cell's data-sort holds its exact number; cells without one sort as text, empty ones last.
(function () {
  "use strict";
  function cellKey(cell) {
    var exact = cell.getAttribute("data-sort");
    if (exact !== null && exact !== "") {
      return { empty: false, number: true, value: parseFloat(exact) };
    }
    var text = cell.textContent.trim();
    return { empty: text === "" || text === "—", number: false, value: text.toLowerCase() };
  }
  function compare(a, b, direction) {
    if (a.empty || b.empty) {
      return a.empty === b.empty ? 0 : (a.empty ? 1 : -1);
    }
    if (a.number && b.number) {
      return direction * (a.value - b.value);
    }
    return direction * String(a.value).localeCompare(String(b.value));
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (header, column) {
      header.addEventListener("click", function () {
        var ascending = header.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (other) {
          other.removeAttribute("aria-sort");
        });
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var direction = ascending ? 1 : -1;
        rows.sort(function (first, second) {
          return compare(cellKey(first.cells[column]), cellKey(second.cells[column]), direction);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
