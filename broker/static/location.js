// A page shown in the answer to a POST (the chooser, in the answer from upstream) puts its own
// address in the address bar: a reload or a return to it is then a GET, never the POST again.
(function () {
  var here = document.body.getAttribute("data-location");
  if (here && window.history && window.history.replaceState) { window.history.replaceState(null, "", here); }
})();
