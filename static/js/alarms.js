// The header bell: a websocket to /ws/alarms/ keeps the unread count live and shows a toast per
// new alarm. Without JavaScript the bell is a plain link with the count rendered by the server.
(function () {
  "use strict";
  var bell = document.querySelector("[data-alarm-bell]");
  if (!bell || !("WebSocket" in window)) return;
  var count = bell.querySelector("[data-alarm-count]");
  var toast = document.querySelector("[data-alarm-toast]");
  // Out of the header: a sticky or filtered header would pin a fixed toast inside itself.
  if (toast) document.body.appendChild(toast);
  var path = bell.getAttribute("data-alarm-socket") || "/ws/alarms/";
  var delay = 1000;
  var toastTimer = null;

  function setCount(n) {
    if (typeof n !== "number" || !count) return;
    count.textContent = n > 99 ? "99+" : String(n);
    count.hidden = n <= 0;
  }

  function showToast(text) {
    if (!toast || !text) return;
    toast.textContent = "";
    var link = document.createElement("a");
    link.href = bell.getAttribute("href");
    link.textContent = text;
    toast.appendChild(link);
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toast.hidden = true; }, 6000);
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + path);
    socket.onopen = function () { delay = 1000; };
    socket.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      setCount(data.unread);
      if (data.type === "alarm") {
        // The message names who and which room; the kind's text when there is none.
        showToast(data.message || data.text);
        // Pages may react in place, e.g. hx-trigger="alarm-match-confirmed from:body".
        if (data.alarmType) {
          document.body.dispatchEvent(new CustomEvent("alarm-" + String(data.alarmType).toLowerCase().replace(/_/g, "-")));
        }
      }
    };
    socket.onclose = function (event) {
      if (event.code === 4401) return; // logged out: nothing to listen to
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  connect();
})();
