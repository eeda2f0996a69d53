// Refreshes the status page every 2 s from the JSON API and the metrics text, rendering the same
// markup as the server does, plus what needs two samples: connections per second.
(function () {
  "use strict";
  var PERIOD_MS = 2000;
  // No red, orange, green or grey among them: those are the states' colours.
  var PALETTE = ["#4e79a7", "#7b5ea7", "#2f9e9e", "#9c755f", "#c05a9b", "#3d6fb6", "#8a8f2a",
    "#5b5fc7", "#1f7a8c", "#a0785a"];
  var previous = null; // {at: ms, totals: {vip: connections}}

  function esc(s) {
    return String(s).replace(/[<>&"']/g, function (c) {
      return {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function cls(s) { return String(s).toLowerCase().replace(/[^a-z0-9]+/g, "-"); }
  function zoneColour(zone) {
    var h = 0;
    for (var i = 0; i < zone.length; i++) { h = (Math.imul(h, 31) + zone.charCodeAt(i)) | 0; }
    return PALETTE[((h % PALETTE.length) + PALETTE.length) % PALETTE.length];
  }
  function duration(s) {
    if (s < 60) return s + "s";
    if (s < 3600) return Math.floor(s / 60) + "m " + (s % 60) + "s";
    if (s < 86400) return Math.floor(s / 3600) + "h " + (Math.floor(s / 60) % 60) + "m";
    return Math.floor(s / 86400) + "d " + (Math.floor(s / 3600) % 24) + "h";
  }
  function orDash(s) { return s ? s : "-"; }

  // Prometheus text: [{name, labels, value}]
  function parseMetrics(text) {
    var out = [];
    text.split("\n").forEach(function (line) {
      var m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\}\s+(\S+)$/.exec(line);
      if (!m) return;
      var labels = {}, re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g, l;
      while ((l = re.exec(m[2])) !== null) { labels[l[1]] = l[2].replace(/\\"/g, '"').replace(/\\\\/g, "\\"); }
      var v = parseFloat(m[3]);
      if (!isNaN(v)) out.push({name: m[1], labels: labels, value: v});
    });
    return out;
  }
  function sum(samples, name, want) {
    var total = NaN;
    samples.forEach(function (s) {
      if (s.name !== name) return;
      for (var k in want) { if (s.labels[k] !== want[k]) return; }
      total = isNaN(total) ? s.value : total + s.value;
    });
    return total;
  }
  function count(v) { return isNaN(v) ? "-" : String(Math.floor(v)); }
  function mib(bytes) { return (bytes / 1048576).toFixed(1); }

  function header(s) {
    var h = "<h1>halb</h1><span class=\"rid\">" + esc(s.id) + "</span>" +
      "<span class=\"pill " + cls(s.state) + "\">" + esc(s.state) + "</span><dl>";
    function item(n, v) { h += "<div><dt>" + esc(n) + "</dt><dd>" + esc(v) + "</dd></div>"; }
    item("zone", orDash(s.zone));
    item("region", orDash(s.region));
    h += "<div><dt>discovery</dt><dd class=\"disc " + cls(s.discovery) + "\">" + esc(s.discovery) + "</dd></div>";
    item("transport", s.transport);
    if (s.directMemory) item("direct memory", mib(s.directMemory.usedBytes) + " of " + mib(s.directMemory.maxBytes) + " MiB");
    item("uptime", duration(s.uptimeSeconds));
    item("version", s.version);
    if (s.lastReload) item("last reload", s.lastReload.result + " " + (s.lastReload.at || ""));
    return h + "</dl>";
  }

  function stat(name, value, c) {
    return "<div class=\"stat " + (c || "") + "\"><b>" + esc(value) + "</b><small>" + esc(name) + "</small></div>";
  }

  // A split (key -> share) as one stacked bar: shares and local name the routing view's fields
  // (zoneRouting: split, localZone; regionRouting: regions, local).
  function split(label, routing, shares, local) {
    var h = "<div class=\"split\"><span class=\"split-label\">" + label + "</span><div class=\"bar\">";
    var any = false, sp = routing[shares] || {};
    Object.keys(sp).forEach(function (key) {
      var share = sp[key];
      if (!(share > 0)) return;
      any = true;
      var text = (key ? key : "(none)") + " " + Math.round(share * 100) + "%";
      h += "<span class=\"seg\" style=\"width:" + (share * 100).toFixed(2) + "%;background:" + zoneColour(key) +
        "\" title=\"" + esc(text) + "\">" + esc(text) + "</span>";
    });
    if (!any) h += "<span class=\"seg none\">no candidates</span>";
    h += "</div><span class=\"mode\">" + esc(routing.mode || "");
    if (routing.reason) h += " · " + esc(routing.reason);
    if (routing[local]) h += " · local " + esc(routing[local]);
    return h + "</span></div>";
  }

  function zoneChip(zone) {
    return zone ? "<span class=\"zone\" style=\"--z:" + zoneColour(zone) + "\">" + esc(zone) + "</span>"
      : "<span class=\"muted\">-</span>";
  }

  function vipSection(v, m, rate) {
    var h = "<section class=\"vip\" data-vip=\"" + esc(v.name) + "\"><div class=\"vip-head\"><h2>" + esc(v.name) +
      "</h2><span class=\"bind\">" + esc(v.address || v.bind) + "</span><span class=\"tag\">" + esc(v.strategy) +
      "</span><span class=\"tag\">" + esc(v.source) + "</span>";
    if (!v.bound) h += "<span class=\"pill bad\">not bound</span>";
    if (v.error) h += "<span class=\"err\">" + esc(v.error) + "</span>";
    var healthy = (v.backends || []).filter(function (b) { return b.state === "healthy"; }).length;
    var all = (v.backends || []).length;
    h += "<div class=\"stats\">" + stat("healthy", healthy + " / " + all, healthy < all ? "warn" : "") +
      stat("active", v.activeConnections + " / " + v.maxConnections) +
      stat("conn/s", rate === null ? "…" : rate.toFixed(rate < 10 ? 1 : 0), "rate") +
      stat("total", count(sum(m, "halb_connections_total", {vip: v.name}))) +
      stat("rejected", count(sum(m, "halb_rejected_total", {vip: v.name}))) + "</div></div>";
    h += split("zones", v.zoneRouting || {}, "split", "localZone");
    if (v.regionRouting) h += split("regions", v.regionRouting, "regions", "local");
    h += "<table class=\"backends\"><thead><tr><th>state</th><th>backend</th><th>address</th><th>zone</th><th>region</th>" +
      "<th class=\"n\">weight</th><th class=\"n\">active</th><th class=\"n\">connect failures</th>" +
      "<th class=\"n\">ejections</th><th>source</th></tr></thead><tbody>";
    (v.backends || []).forEach(function (b) {
      h += "<tr class=\"backend st-" + cls(b.state) + "\" data-backend=\"" + esc(b.id) + "\"><td><span class=\"state " +
        cls(b.state) + "\">" + esc(b.state) + "</span></td><td class=\"id\">" + esc(b.id) + "</td><td>" +
        (b.address + ":" + b.port === b.id ? "<span class=\"muted\" title=\"same as the backend id\">=</span>" : esc(b.address + ":" + b.port)) +
        "</td><td>" + zoneChip(b.zone || "") + "</td><td>" + zoneChip(b.region || "") + "</td><td class=\"n\">" + b.weight +
        "</td><td class=\"n\">" + b.activeConnections + "</td><td class=\"n\">" +
        count(sum(m, "halb_connect_failures_total", {vip: v.name, backend: b.id})) + "</td><td class=\"n\">" +
        count(sum(m, "halb_ejections_total", {vip: v.name, backend: b.id})) + "</td><td>" + esc(b.source) + "</td></tr>";
    });
    if (!v.backends || v.backends.length === 0) h += "<tr><td colspan=\"10\" class=\"empty\">no backends</td></tr>";
    return h + "</tbody></table></section>";
  }

  function replicasSection(replicas, self) {
    var byZone = {};
    replicas.forEach(function (r) { (byZone[r.zone || ""] = byZone[r.zone || ""] || []).push(r); });
    var h = "<section id=\"replicas\"><h2>Replicas <small>" + replicas.length + " registered, by zone</small></h2><div class=\"zones\">";
    Object.keys(byZone).sort().forEach(function (zone) {
      h += "<div class=\"zone-col\"><h3>" + (zone ? zoneChip(zone) : "no zone") + "</h3>";
      byZone[zone].forEach(function (r) {
        var state = r.state || r.peerState || "registered", isSelf = r.id === self, binds = [];
        (r.vips || []).forEach(function (b) { binds.push(b.name + " " + b.bind); });
        h += "<div class=\"replica" + (isSelf ? " self" : "") + "\" data-replica=\"" + esc(r.id) + "\"><b>" + esc(r.id) +
          "</b>" + (isSelf ? " <span class=\"tag\">this replica</span>" : "") + " <span class=\"state " + cls(state) +
          "\">" + esc(state) + "</span><div class=\"muted\">" + esc(r.address) + " · admin " + esc(r.admin) +
          (r.region ? " · region " + esc(r.region) : "") + "</div><div class=\"muted\">" +
          esc(binds.length ? binds.join(", ") : "no VIPs") + "</div></div>";
      });
      h += "</div>";
    });
    return h + "</div></section>";
  }

  function get(path, asText) {
    return fetch(path, {cache: "no-store"}).then(function (r) {
      if (!r.ok) throw new Error(path + ": HTTP " + r.status);
      return asText ? r.text() : r.json();
    });
  }

  function refresh() {
    Promise.all([get("/api/v1/status"), get("/api/v1/vips"), get("/api/v1/replicas"), get("/metrics", true)])
      .then(function (all) {
        var status = all[0], vips = all[1], replicas = all[2], m = parseMetrics(all[3]);
        var now = Date.now(), totals = {};
        var body = "";
        vips.forEach(function (v) {
          var total = sum(m, "halb_connections_total", {vip: v.name});
          totals[v.name] = total;
          var rate = null;
          if (previous && previous.totals[v.name] !== undefined && !isNaN(total) && now > previous.at) {
            rate = Math.max(0, (total - previous.totals[v.name]) * 1000 / (now - previous.at));
          }
          body += vipSection(v, m, rate);
        });
        if (vips.length === 0) body += "<p class=\"empty\">No VIPs.</p>";
        body += replicasSection(replicas, status.id);
        previous = {at: now, totals: totals};
        document.getElementById("replica").innerHTML = header(status);
        document.getElementById("content").innerHTML = body;
        document.title = "halb " + status.id;
        var u = document.getElementById("updated");
        u.className = "muted";
        u.textContent = "live · updated " + new Date(now).toLocaleTimeString() + " · every 2 s";
      })
      .catch(function (e) {
        var u = document.getElementById("updated");
        u.className = "stale";
        u.textContent = "not updating: " + e.message;
      })
      .then(function () { setTimeout(refresh, PERIOD_MS); });
  }
  refresh();
})();
