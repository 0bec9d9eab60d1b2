-- wrk script for PushListener: every request is a distinct, real-looking Exchange Online push.
--
-- The body is tests/Fixtures/exchange-online-created.xml (one CreatedEvent, about 1.5 KB) with its subscription id and
-- watermarks rewritten per request, the way Exchange produces them: each wrk thread owns its own subscriptions and cycles
-- through them, and each subscription's pushes chain (PreviousWatermark = the previous push's Watermark). So every
-- request is a new notification the listener stores durably (its dedupe key, subscription + PreviousWatermark + last
-- watermark, never repeats), and no request looks like a lost push (a broken chain would add a lifecycle entry per
-- request, work real traffic does not cause). Headers are the ones Exchange sends (SOAP 1.1, unquoted SOAPAction, gzip
-- accepted, keep-alive).
--
-- Environment:
--   BENCH_RUN            distinct per wrk run against the same listener (default: the clock), keeps runs' ids apart
--   BENCH_SUBSCRIPTIONS  subscriptions per wrk thread (default 500); keep it well above connections per thread, so a
--                        subscription's next push goes out after its previous one was answered, as Exchange does
--   BENCH_PATH           the endpoint path (default /ews/notifications)

local run = tonumber(os.getenv("BENCH_RUN") or tostring(os.time() % 1000000)) % 1000000
local per_thread = tonumber(os.getenv("BENCH_SUBSCRIPTIONS") or "500")
local path = os.getenv("BENCH_PATH") or "/ews/notifications"

local b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function base64(data)
  return ((data:gsub(".", function(x)
    local r, b = "", x:byte()
    for i = 8, 1, -1 do r = r .. (b % 2 ^ i - b % 2 ^ (i - 1) > 0 and "1" or "0") end
    return r
  end) .. "0000"):gsub("%d%d%d?%d?%d?%d?", function(x)
    if #x < 6 then return "" end
    local c = 0
    for i = 1, 6 do c = c + (x:sub(i, i) == "1" and 2 ^ (6 - i) or 0) end
    return b64chars:sub(c + 1, c + 1)
  end) .. ({ "", "==", "=" })[#data % 3 + 1])
end

local headers = {
  ["Content-Type"] = "text/xml; charset=utf-8",
  ["Accept"] = "text/xml",
  ["SOAPAction"] = "http://schemas.microsoft.com/exchange/services/2006/messages/SendNotification",
  ["Accept-Encoding"] = "gzip",
  ["Connection"] = "Keep-Alive",
}

local head = '<?xml version="1.0" encoding="utf-8"?><soap11:Envelope xmlns:soap11="http://schemas.xmlsoap.org/soap/envelope/">'
  .. '<soap11:Header><t:RequestServerVersion xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" '
  .. 'xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" Version="Exchange2013" /></soap11:Header>'
  .. '<soap11:Body><m:SendNotification xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" '
  .. 'xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages>'
  .. '<m:SendNotificationResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Notification>'
  .. '<t:SubscriptionId>'
local after_subscription = '</t:SubscriptionId><t:PreviousWatermark>'
local after_previous = '</t:PreviousWatermark><t:MoreEvents>false</t:MoreEvents><t:CreatedEvent><t:Watermark>'
local after_watermark = '</t:Watermark><t:TimeStamp>2026-11-20T09:41:27Z</t:TimeStamp>'
  .. '<t:ItemId Id="AAMkADlhNGM1ZjBlLTJiNzEtNGQzZS04YzA5LTZmMWUyN2Q0YjhhMwBGAAAAAAClax62ndKZI5cs4WproCsbBwCtyHrscZ+x9amhpGxwzUgikPw23FIgAAA=" '
  .. 'ChangeKey="CQAAABYAAAA8TA9PBwOwN9+9AOV2YY53yhQOXi7a" />'
  .. '<t:ParentFolderId Id="AAMkADlhNGM1ZjBlLTJiNzEtNGQzZS04YzA5LTZmMWUyN2Q0YjhhMwAuAAAAAABMBaVU9aYfKFRROpX5Z0WoAQCncAqMO8+DTL9zmhaj345M2RezDcAdAAA=" '
  .. 'ChangeKey="AQAAABYAAACK1x63zvuOWDLimpNix0To0pBZyMFm" /></t:CreatedEvent></m:Notification>'
  .. '</m:SendNotificationResponseMessage></m:ResponseMessages></m:SendNotification></soap11:Body></soap11:Envelope>'

-- A 44-character watermark like Exchange's (base64 of 32 bytes, "=" padded): a fixed prefix, then run, thread,
-- subscription and sequence as decimal digits (digits are base64 characters), then "A=" (a final character whose unused
-- bits are zero, so it decodes strictly). Cheap to build: wrk runs this for every request, on the same cores as the server.
local function watermark(thread_id, slot, sequence)
  return string.format("AQAAAEbmwqYW%06d%02d%06d%08dAAAAAAAAA=", run, thread_id % 100, slot, sequence)
end

local thread_count = 0

function setup(thread)
  thread:set("thread_id", thread_count)
  thread_count = thread_count + 1
end

local subscription_ids = {}
local counter = 0

function init(args)
  -- Each wrk thread runs its own copy of this script, with its own subscriptions.
  thread_id = tonumber(thread_id or 0)
  for slot = 0, per_thread - 1 do
    -- Shaped like Exchange Online's: base64 of a mailbox server name and 16 more bytes, here digits naming run,
    -- thread and slot.
    subscription_ids[slot] = base64(string.format("\039\000DB7PR04MB%04d.eurprd04.prod.outlook.com\016\000\000\000%06d%02d%08d",
      slot % 10000, run, thread_id % 100, slot))
  end
end

function request()
  local slot = counter % per_thread
  local sequence = (counter - slot) / per_thread
  counter = counter + 1
  local body = head .. subscription_ids[slot] .. after_subscription .. watermark(thread_id, slot, sequence)
    .. after_previous .. watermark(thread_id, slot, sequence + 1) .. after_watermark
  return wrk.format("POST", path, headers, body)
end

-- Non-2xx answers (a fault would be 500) or socket errors make the run invalid: report them on a line run.sh reads.
function done(summary, latency, requests)
  io.write(string.format("bench: requests=%d non2xx_or_errors=%d\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
