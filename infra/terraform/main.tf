# Gatehouse's Cognito side: the user pool, its one app client, the Hosted UI domain and the role groups.
# Every setting here is one the Cognito provider relies on; the comments say which behaviour needs it.

data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

locals {
  name                = "gatehouse-${var.stage}"
  deletion_protection = var.deletion_protection != null ? var.deletion_protection : !contains(var.dev_stages, var.stage)
  # The pool ARN is arn:<partition>:cognito-idp:<region>:<account>:userpool/<id>.
  region = split(":", aws_cognito_user_pool.this.arn)[3]
  # Gatehouse's default COGNITO_SCOPES; the client must allow every scope it asks for.
  scopes = ["openid", "email", "profile"]
  # One external id per stage: Cognito must present it to assume the SMS role (confused-deputy guard).
  sms_external_id = "${local.name}-sms"
}

resource "aws_cognito_user_pool" "this" {
  name = local.name

  # Email is the username (Gatehouse signs up and signs in with the address) and must be verified by code:
  # POST /auth/confirm-email takes the code Cognito mails.
  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]
  username_configuration {
    case_sensitive = false
  }
  verification_message_template {
    default_email_option = "CONFIRM_WITH_CODE"
  }
  # A changed address stays unverified (and unused for sign-in) until its code is confirmed.
  user_attribute_update_settings {
    attributes_require_verification_before_update = ["email"]
  }

  # OPTIONAL: users who enrolled TOTP are challenged at login; OFF would never challenge, ON would lock out
  # users who have not enrolled yet (Gatehouse's onboarding enrols them).
  mfa_configuration = "OPTIONAL"
  software_token_mfa_configuration {
    enabled = true
  }
  sms_authentication_message = var.sms_mfa ? "Your Gatehouse code is {####}" : null
  dynamic "sms_configuration" {
    for_each = var.sms_mfa ? [1] : []
    content {
      external_id    = local.sms_external_id
      sns_caller_arn = aws_iam_role.sms[0].arn
    }
  }

  password_policy {
    minimum_length                   = 12
    require_lowercase                = true
    require_uppercase                = true
    require_numbers                  = true
    require_symbols                  = true
    temporary_password_validity_days = 7
  }

  # Forgotten passwords are reset through the verified address only (never SMS, even with SMS MFA on).
  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  admin_create_user_config {
    allow_admin_create_user_only = false
  }

  email_configuration {
    email_sending_account = var.ses_source_arn == null ? "COGNITO_DEFAULT" : "DEVELOPER"
    source_arn            = var.ses_source_arn
    from_email_address    = var.ses_source_arn == null ? null : var.from_email_address
  }

  # custom:role (trusted only when no app client can write it and TRUST_ROLE_CLAIM=true) and
  # custom:organizationId (the tenant). Mutable so administrators can change them; the constraints are spelled
  # out because the provider shows a permanent diff without them.
  schema {
    name                     = "role"
    attribute_data_type      = "String"
    mutable                  = true
    developer_only_attribute = false
    required                 = false
    string_attribute_constraints {
      min_length = 0
      max_length = 64
    }
  }
  schema {
    name                     = "organizationId"
    attribute_data_type      = "String"
    mutable                  = true
    developer_only_attribute = false
    required                 = false
    string_attribute_constraints {
      min_length = 0
      max_length = 128
    }
  }

  deletion_protection = local.deletion_protection ? "ACTIVE" : "INACTIVE"
  tags                = var.tags
}

resource "aws_cognito_user_pool_client" "gatehouse" {
  name         = local.name
  user_pool_id = aws_cognito_user_pool.this.id

  # The provider signs in with USER_PASSWORD_AUTH and refreshes with REFRESH_TOKEN_AUTH; SRP is off.
  explicit_auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
  # A public client: the Hosted UI code is bound to the browser by PKCE (Gatehouse always sends S256), no secret to leak.
  generate_secret = false
  # Sign-in, reset and confirmation answer the same for an unknown address as for a known one.
  prevent_user_existence_errors = "ENABLED"
  enable_token_revocation       = true

  # Listed explicitly, never custom:*: a user can call UpdateUserAttributes with their own access token, and
  # Gatehouse's start-up check refuses to trust custom:role / custom:organizationId if any client can write them.
  # SignUp writes email and name.
  write_attributes = ["email", "name"]
  read_attributes  = ["email", "email_verified", "name", "custom:role", "custom:organizationId"]

  access_token_validity  = var.access_token_validity_minutes
  id_token_validity      = var.id_token_validity_minutes
  refresh_token_validity = var.refresh_token_validity_days
  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "days"
  }

  # Hosted login: authorization code only (no implicit flow: tokens never travel in a URL).
  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_flows                  = ["code"]
  allowed_oauth_scopes                 = local.scopes
  supported_identity_providers         = ["COGNITO"]
  callback_urls                        = var.callback_urls
  logout_urls                          = var.logout_urls
}

resource "aws_cognito_user_pool_domain" "hosted_ui" {
  domain       = var.domain_prefix
  user_pool_id = aws_cognito_user_pool.this.id
}

# The default ROLE_GROUP_MAP maps Admins to admin and Auditors to auditor; membership is the role.
resource "aws_cognito_user_group" "admins" {
  name         = "Admins"
  description  = "Gatehouse administrators (role admin)"
  user_pool_id = aws_cognito_user_pool.this.id
  precedence   = 1
}

resource "aws_cognito_user_group" "auditors" {
  name         = "Auditors"
  description  = "Gatehouse auditors (role auditor, read-only)"
  user_pool_id = aws_cognito_user_pool.this.id
  precedence   = 2
}

# Cognito sends SMS codes through SNS with this role, only when SMS MFA is on.
resource "aws_iam_role" "sms" {
  count = var.sms_mfa ? 1 : 0
  name  = "${local.name}-cognito-sms"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "cognito-idp.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = {
          "sts:ExternalId"    = local.sms_external_id
          "aws:SourceAccount" = data.aws_caller_identity.current.account_id
        }
      }
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "sms" {
  count = var.sms_mfa ? 1 : 0
  name  = "sns-publish"
  role  = aws_iam_role.sms[0].id
  # SMS to a phone number has no resource ARN: SNS only accepts "*" here.
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sns:Publish", Resource = "*" }]
  })
}
