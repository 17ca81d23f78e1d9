// The room page's live parts: a websocket to /ws/rooms/<id>/ says "room changed" after every
// committed change of the room (join, leave, complete, comments); htmx then re-fetches the page
// and swaps the participants, the buttons and the comments in place (see rooms/_live.html).
(function () {
  "use strict";
  var live = document.querySelector("[data-room-socket]");
  if (!live || !("WebSocket" in window) || !window.htmx) return;
  var path = live.getAttribute("data-room-socket");
  var delay = 1000;
  var opened = false;

  var pending = false;

  // A reply being typed in the comment list is never swapped away: wait until its box loses focus.
  function typingInComments() {
    var list = document.getElementById("comment-list");
    var active = document.activeElement;
    return !!(list && active && active.tagName === "TEXTAREA" && list.contains(active));
  }

  function refresh() {
    if (typingInComments()) { pending = true; return; }
    pending = false;
    window.htmx.trigger(live, "room-changed");
  }

  document.addEventListener("focusout", function () {
    if (pending) setTimeout(refresh, 0);
  });

  // The room was deleted meanwhile: reload, so that the page says so instead of going stale.
  live.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 404) window.location.reload();
  });

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + path);
    socket.onopen = function () {
      // After a reconnect something may have changed while the socket was down.
      if (opened) refresh();
      opened = true;
      delay = 1000;
    };
    socket.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.type === "room.changed") refresh();
    };
    socket.onclose = function (event) {
      if (event.code === 4401 || event.code === 4404) return; // logged out, or the room is gone
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  connect();
})();
